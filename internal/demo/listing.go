package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The listing pipeline of the demo (上市). Its records are drawn so that
// the platform's listing statistics, computed from them, print the
// document's figures (seed-figures.md, "Listing pipeline"):
//
//   - 34 firms in tutoring (辅导备案) at the article date, 2024-02-29, the
//     last two filed being 臻宝科技 (agreement 2024-01-31, filed 02-07,
//     中信证券) and 大美游轮 (agreement 01-29, filed 02-02, 国泰君安);
//   - 10 new listings in 2023: 9 domestic (A-share) IPOs and 1 listed
//     company relocated from Shenzhen to 璧山;
//   - 99 listed companies, domestic and overseas. The article says "截至
//     目前" (as of its date); the demo records no listing change between
//     2024-01-01 and 2024-02-29, so the figure holds at both the article
//     date and the end of 2023;
//   - 2023 domestic IPO proceeds of exactly 120.74亿元, and 2022's of
//     41.49亿元, so that growth is (120.74 ÷ 41.49 − 1) × 100 = 191.01 %,
//     which rounds to the document's +191 %.
//
// The counts are absolute (the document's), so they do not grow with
// Scale. Firms at shareholding reform or later are existing generated
// firms whose name is a 股份有限公司; the reserve pool takes any open
// firm. The two named firms are added to the registry (without yearly
// statistics, so the calibrated industrial figures are untouched).
// Synthetic firms get fictional sponsors; only the two named firms carry
// the real sponsors the article names. Everything is drawn from the
// module's own random stream, after the core generation.

// listingStream is the module's PCG stream: "list".
const listingStream = 0x6c697374

// The article's date: the figures hold at the end of this day.
var listingArticleDate = day(2024, time.February, 29)

// Document figures, as inputs to the generator (the test recomputes them
// from the stored records).
const (
	listingTutoringOthers = 32 // in tutoring before the two named filings
	listingHistorical     = 82 // listed 1994–2021 and still listed
	listingHistoricalHK   = 11
	listingHistoricalUS   = 5
	listingExited         = 3
	listing2022IPOs       = 6       // domestic
	listing2022Wan        = 414_900 // 41.49亿元 in 万元
	listing2023IPOs       = 9
	listing2023Wan        = 1_207_400 // 120.74亿元 in 万元
	listingAccepted       = 6
	listingReview         = 3
	listingRegistered     = 1
	listingReform         = 25
	listingReserve        = 160
	listingWithdrawn      = 8
)

// Sponsors the article names, for the firms it names.
const (
	sponsorCITIC = "中信证券股份有限公司"
	sponsorGTJA  = "国泰君安证券股份有限公司"
)

// fictionalSponsors are made-up securities firms for the synthetic firms.
var fictionalSponsors = []string{
	"瑞禾证券股份有限公司", "鑫晟证券股份有限公司", "嘉骏证券股份有限公司",
	"卓润证券股份有限公司", "锦拓证券有限责任公司", "昌聚证券股份有限公司",
}

// namedFirm is an enterprise the article names, added to the registry.
type namedFirm struct {
	name, region, industry string
	founded                time.Time
	tutoring               listing.Event
}

// namedListingFirms are 臻宝科技 (九龙坡区, founded February 2016) and
// 大美游轮 (忠县, founded March 2002), with the names, places, dates and
// sponsors of the article. Their founding day is not given; the first of
// the month stands for it. Industries: semiconductor equipment parts
// (3562) and inland passenger water transport (5522).
func namedListingFirms() []namedFirm {
	return []namedFirm{
		{"重庆臻宝科技股份有限公司", "500107", "3562", day(2016, time.February, 1),
			listing.Event{Stage: listing.StageTutoring, Date: day(2024, time.February, 7), AgreedOn: day(2024, time.January, 31), Sponsor: sponsorCITIC}},
		{"重庆大美长江三峡游轮股份有限公司", "500233", "5522", day(2002, time.March, 1),
			listing.Event{Stage: listing.StageTutoring, Date: day(2024, time.February, 2), AgreedOn: day(2024, time.January, 29), Sponsor: sponsorGTJA}},
	}
}

// listingGen draws the records.
type listingGen struct {
	r    *rand.Rand
	ds   *dataset
	pool []*firm // open joint-stock firms, shuffled
	any  []*firm // every open firm, shuffled
	used map[int]bool
}

// take returns the next unused firm of list that satisfies ok.
func (g *listingGen) take(list []*firm, ok func(*firm) bool) (*firm, error) {
	for _, f := range list {
		if !g.used[f.idx] && ok(f) {
			g.used[f.idx] = true
			return f, nil
		}
	}
	return nil, fmt.Errorf("demo: listing: not enough suitable firms")
}

// between returns a day in [from, to].
func (g *listingGen) between(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, g.r.IntN(days+1))
}

// back returns d minus lo…hi days.
func (g *listingGen) back(d time.Time, lo, hi int) time.Time {
	return d.AddDate(0, 0, -(lo + g.r.IntN(hi-lo+1)))
}

func (g *listingGen) sponsor() string { return fictionalSponsors[g.r.IntN(len(fictionalSponsors))] }

var domesticBoards = []listing.Board{listing.BoardSSEMain, listing.BoardSTAR, listing.BoardSZSEMain, listing.BoardChiNext, listing.BoardBSE}

func (g *listingGen) board() listing.Board { return domesticBoards[g.r.IntN(len(domesticBoards))] }

// route returns the domestic IPO route ending with acceptance on board at
// accepted: reserve pool, reform, tutoring (agreement a few days before
// filing), acceptance; the reserve entry only when it falls after the
// firm's founding.
func (g *listingGen) route(f *firm, accepted time.Time, b listing.Board) []listing.Event {
	tut := g.back(accepted, 120, 420)
	reform := g.back(tut, 60, 400)
	reserve := g.back(reform, 90, 500)
	var out []listing.Event
	if reserve.After(f.founded) {
		out = append(out, listing.Event{Stage: listing.StageReserve, Date: reserve})
	}
	if reform.After(f.founded) {
		out = append(out, listing.Event{Stage: listing.StageReform, Date: reform})
	}
	return append(out,
		listing.Event{Stage: listing.StageTutoring, Date: tut, AgreedOn: g.back(tut, 3, 20), Sponsor: g.sponsor()},
		listing.Event{Stage: listing.StageAccepted, Date: accepted, Board: b})
}

// ipo returns the whole domestic route to a listing on listed.
func (g *listingGen) ipo(f *firm, listed time.Time, b listing.Board, proceeds unit.Fen) []listing.Event {
	reg := g.back(listed, 12, 40)
	review := g.back(reg, 15, 60)
	accepted := g.back(review, 120, 300)
	return append(g.route(f, accepted, b),
		listing.Event{Stage: listing.StageReview, Date: review},
		listing.Event{Stage: listing.StageRegistered, Date: reg},
		listing.Event{Stage: listing.StageListed, Date: listed, Board: b, Kind: listing.KindIPO, Proceeds: proceeds})
}

// splitWan splits total 万元 into n positive amounts between about 3亿 and
// 30亿 each, exactly (largest remainder), as fen.
func (g *listingGen) splitWan(total int64, n int) []unit.Fen {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.3 + g.r.Float64()
	}
	q := quotas(int(total), w)
	out := make([]unit.Fen, n)
	for i, v := range q {
		out[i] = unit.Fen(v) * unit.Wan
	}
	return out
}

// proceeds draws one historical IPO's proceeds, whole 万元.
func (g *listingGen) proceeds() unit.Fen {
	return unit.Fen(20_000+g.r.IntN(250_000)) * unit.Wan
}

// listingRecords draws every record; ids maps a firm to its enterprise id.
func (ds *dataset) listingRecords(ids func(*firm) int64) ([]listing.Record, error) {
	g := &listingGen{r: rand.New(rand.NewPCG(ds.opts.Seed, listingStream)), ds: ds, used: map[int]bool{}}
	for _, f := range ds.firms {
		if f.closed != 0 {
			continue
		}
		g.any = append(g.any, f)
		if strings.HasSuffix(f.name, "股份有限公司") {
			g.pool = append(g.pool, f)
		}
	}
	g.r.Shuffle(len(g.pool), func(i, j int) { g.pool[i], g.pool[j] = g.pool[j], g.pool[i] })
	g.r.Shuffle(len(g.any), func(i, j int) { g.any[i], g.any[j] = g.any[j], g.any[i] })
	foundedBy := func(y int) func(*firm) bool { return func(f *firm) bool { return f.founded.Year() <= y } }

	var recs []listing.Record
	add := func(f *firm, evs []listing.Event) {
		recs = append(recs, listing.Record{EnterpriseID: ids(f), Events: evs})
	}
	var errs []error
	pick := func(list []*firm, ok func(*firm) bool) *firm {
		f, err := g.take(list, ok)
		if err != nil {
			errs = append(errs, err)
		}
		return f
	}

	// 2023: nine domestic IPOs with their whole route, proceeds summing to
	// 120.74亿元 exactly, and one listed company moving in from Shenzhen
	// to 璧山.
	for i, p := range g.splitWan(listing2023Wan, listing2023IPOs) {
		f := pick(g.pool, foundedBy(2015))
		if f == nil {
			break
		}
		listed := g.between(day(2023, time.Month(1+i*12/listing2023IPOs), 2), day(2023, time.Month(1+i*12/listing2023IPOs), 27))
		add(f, g.ipo(f, listed, g.board(), p))
	}
	if f := pick(g.pool, func(f *firm) bool { return f.region == "500120" && f.founded.Year() <= 2015 }); f != nil {
		add(f, []listing.Event{{Stage: listing.StageListed, Date: day(2023, time.September, 12), Board: listing.BoardSZSEMain, Kind: listing.KindRelocation, Note: "从深圳迁入璧山"}})
	}
	// 2022: six domestic IPOs, 41.49亿元, and one in Hong Kong.
	for i, p := range g.splitWan(listing2022Wan, listing2022IPOs) {
		f := pick(g.pool, foundedBy(2014))
		if f == nil {
			break
		}
		add(f, g.ipo(f, g.between(day(2022, time.Month(1+2*i), 3), day(2022, time.Month(2+2*i), 25)), g.board(), p))
	}
	if f := pick(g.pool, foundedBy(2014)); f != nil {
		accepted := day(2021, time.October, 18)
		add(f, []listing.Event{
			{Stage: listing.StageReform, Date: day(2021, time.March, 8)},
			{Stage: listing.StageAccepted, Date: accepted, Board: listing.BoardHKEX},
			{Stage: listing.StageReview, Date: day(2022, time.June, 9)},
			{Stage: listing.StageListed, Date: day(2022, time.June, 30), Board: listing.BoardHKEX, Kind: listing.KindIPO, Proceeds: g.proceeds()},
		})
	}
	// Companies listed 1994–2021: from 2016 with their route, earlier as a
	// single listing event (the history before the platform is not
	// recorded). Some in Hong Kong or abroad.
	for i := range listingHistorical + listingExited {
		f := pick(g.pool, foundedBy(2011))
		if f == nil {
			break
		}
		from := maxTime(f.founded.AddDate(4, 0, 0), day(1994, time.January, 1))
		listed := g.between(from, day(2021, time.December, 20))
		var evs []listing.Event
		switch {
		case i < listingHistoricalHK:
			evs = []listing.Event{{Stage: listing.StageListed, Date: listed, Board: listing.BoardHKEX, Kind: listing.KindIPO, Proceeds: g.proceeds()}}
		case i < listingHistoricalHK+listingHistoricalUS:
			evs = []listing.Event{{Stage: listing.StageListed, Date: listed, Board: listing.BoardOverseas, Kind: listing.KindIPO, Proceeds: g.proceeds()}}
		case listed.Year() >= 2016 && listed.After(f.founded.AddDate(6, 0, 0)):
			evs = g.ipo(f, listed, g.board(), g.proceeds())
		default:
			evs = []listing.Event{{Stage: listing.StageListed, Date: listed, Board: g.board(), Kind: listing.KindIPO, Proceeds: g.proceeds()}}
		}
		if i >= listingHistorical { // delisted or moved away before 2022
			last := evs[len(evs)-1].Date
			evs = append(evs, listing.Event{Stage: listing.StageExited, Date: g.between(maxTime(last, day(2018, time.January, 1)), day(2021, time.December, 28))})
		}
		add(f, evs)
	}
	// Still on the way at the article date: applications accepted, passed
	// review, registered.
	for i := range listingAccepted + listingReview + listingRegistered {
		f := pick(g.pool, foundedBy(2017))
		if f == nil {
			break
		}
		b := g.board()
		switch {
		case i < listingAccepted:
			add(f, g.route(f, g.between(day(2023, time.February, 1), day(2024, time.January, 31)), b))
		case i < listingAccepted+listingReview:
			review := g.between(day(2023, time.October, 1), day(2024, time.February, 20))
			add(f, append(g.route(f, g.back(review, 120, 300), b), listing.Event{Stage: listing.StageReview, Date: review}))
		default:
			reg := day(2024, time.February, 20)
			review := g.back(reg, 20, 50)
			add(f, append(g.route(f, g.back(review, 120, 300), b), listing.Event{Stage: listing.StageReview, Date: review}, listing.Event{Stage: listing.StageRegistered, Date: reg}))
		}
	}
	// In tutoring before the two named filings: 32 firms, filed 2020-06 …
	// 2024-01-25.
	for range listingTutoringOthers {
		f := pick(g.pool, foundedBy(2019))
		if f == nil {
			break
		}
		tut := g.between(day(2020, time.June, 1), day(2024, time.January, 25))
		evs := []listing.Event{}
		if reform := g.back(tut, 60, 400); reform.After(f.founded) {
			if reserve := g.back(reform, 90, 500); reserve.After(f.founded) {
				evs = append(evs, listing.Event{Stage: listing.StageReserve, Date: reserve})
			}
			evs = append(evs, listing.Event{Stage: listing.StageReform, Date: reform})
		}
		add(f, append(evs, listing.Event{Stage: listing.StageTutoring, Date: tut, AgreedOn: g.back(tut, 3, 20), Sponsor: g.sponsor()}))
	}
	// Withdrawn: after acceptance (half) or after tutoring, 2021–2023.
	for i := range listingWithdrawn {
		f := pick(g.pool, foundedBy(2016))
		if f == nil {
			break
		}
		evs := g.route(f, g.between(day(2020, time.March, 1), day(2022, time.December, 1)), g.board())
		note := "撤回上市申请"
		if i%2 == 1 {
			evs, note = evs[:len(evs)-1], "终止上市辅导" // before applying
		}
		last := evs[len(evs)-1].Date
		add(f, append(evs, listing.Event{Stage: listing.StageWithdrawn, Date: g.between(last.AddDate(0, 2, 0), last.AddDate(1, 0, 0)), Note: note}))
	}
	// Shareholding reform done, not yet in tutoring.
	for range listingReform {
		f := pick(g.pool, foundedBy(2020))
		if f == nil {
			break
		}
		reform := g.between(maxTime(f.founded.AddDate(1, 0, 0), day(2021, time.January, 1)), day(2024, time.February, 15))
		evs := []listing.Event{}
		if reserve := g.back(reform, 90, 500); reserve.After(f.founded) {
			evs = append(evs, listing.Event{Stage: listing.StageReserve, Date: reserve})
		}
		add(f, append(evs, listing.Event{Stage: listing.StageReform, Date: reform}))
	}
	// The reserve pool (上市后备库): any open firm.
	for range listingReserve {
		f := pick(g.any, foundedBy(2022))
		if f == nil {
			break
		}
		add(f, []listing.Event{{Stage: listing.StageReserve, Date: g.between(maxTime(f.founded.AddDate(0, 6, 0), day(2020, time.January, 1)), day(2024, time.February, 26))}})
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	slices.SortFunc(recs, func(a, b listing.Record) int { return int(a.EnterpriseID - b.EnterpriseID) })
	return recs, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// loadListing registers the two named firms and stores every listing
// record. It runs after the core data; loading again changes nothing.
func loadListing(ctx context.Context, st *sqlstore.Store, ds *dataset, idOf []int64) error {
	named := namedListingFirms()
	r := rand.New(rand.NewPCG(ds.opts.Seed, listingStream+1))
	used := map[string]bool{}
	for _, f := range ds.firms {
		used[f.code] = true
	}
	var rows []sqlstore.EnterpriseWithYear
	for _, n := range named {
		var code string
		for {
			c, err := creditCode(r, n.region, n.founded.Year() >= 2016)
			if err != nil {
				return err
			}
			if !used[c] {
				used[c], code = true, c
				break
			}
		}
		rows = append(rows, sqlstore.EnterpriseWithYear{Enterprise: enterprise.Enterprise{CreditCode: code, Name: n.name, RegionCode: n.region, IndustryCode: n.industry, Founded: n.founded}})
	}
	if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
		return fmt.Errorf("demo: listing firms: %w", err)
	}
	ids, err := st.EnterpriseIDs(ctx)
	if err != nil {
		return err
	}
	pos := make(map[*firm]int64, len(ds.firms))
	for i, f := range ds.firms {
		pos[f] = idOf[i]
	}
	recs, err := ds.listingRecords(func(f *firm) int64 { return pos[f] })
	if err != nil {
		return err
	}
	for i, n := range named {
		recs = append(recs, listing.Record{EnterpriseID: ids[rows[i].Enterprise.CreditCode], Events: []listing.Event{n.tutoring}})
	}
	if _, err := st.PutListingRecords(ctx, recs, "demo"); err != nil {
		return fmt.Errorf("demo: listing records: %w", err)
	}
	return nil
}
