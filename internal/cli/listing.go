package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/unit"
)

// runListing prints the listing pipeline's figures, computed from the
// stored records the same way the page and the API compute them: firms by
// stage at --date, and the transitions, new listings and domestic IPO
// proceeds (with growth) of each year from --from to --year.
func runListing(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("listing", "[--date YYYY-MM-DD] [--year YEAR] [--from YEAR] [--region CODE] [--format text|json] [-o FILE]", std)
	date := fs.String("date", "", "count firms by stage at the end of this day (default today)")
	year := fs.Int("year", 0, "last year of the yearly figures (default the year before --date's)")
	from := fs.Int("from", 0, "first year of the yearly figures (default --year minus 1, so growth has its base)")
	region := fs.String("region", "", "one district or zone code (default the whole city)")
	format := fs.String("format", "text", "text or json")
	out := fs.String("o", "", "output file (default standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	at := time.Now().UTC().Truncate(24 * time.Hour)
	if *date != "" {
		t, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			return fmt.Errorf("%w: --date must be YYYY-MM-DD", errUsage)
		}
		at = t
	}
	if *year == 0 {
		*year = at.Year() - 1
	}
	if *from == 0 {
		*from = *year - 1
	}
	if *year < 1990 || *year > 2100 || *from > *year || *year-*from >= 30 {
		return fmt.Errorf("%w: want 1990 ≤ --from ≤ --year ≤ 2100 within 30 years", errUsage)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	regionName := msg(i18n.ZH, "cli.listing.city")
	if *region != "" {
		rg, ok := a.Ref.Regions.ByCode(*region)
		if !ok {
			return fmt.Errorf("%w: unknown region %q", errUsage, *region)
		}
		regionName = rg.NameZh + " " + rg.NameEn
	}
	res, err := a.Listing.Report(ctx, auth.All(), listing.Query{RegionCode: *region, At: at, From: *from, To: *year})
	if err != nil {
		return err
	}
	rep := buildListingReport(res)
	return writeTo(*out, std.Stdout, func(w io.Writer) error {
		if *format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(rep)
		}
		return rep.writeText(w, regionName)
	})
}

// listingReport is the command's output.
type listingReport struct {
	Date       string            `json:"date"`
	Region     string            `json:"region,omitempty"`
	Stages     map[string]int    `json:"stages"`
	InPipeline int               `json:"in_pipeline"`
	Listed     listedJSON        `json:"listed"`
	Years      []listingYearJSON `json:"years"`
}

type listedJSON struct {
	Domestic int `json:"domestic"`
	Overseas int `json:"overseas"`
	Total    int `json:"total"`
}

type listingYearJSON struct {
	Year              int            `json:"year"`
	Entered           map[string]int `json:"entered"`
	NewListings       int            `json:"new_listings"`
	IPO               int            `json:"ipo"`
	DomesticIPO       int            `json:"domestic_ipo"`
	Relocation        int            `json:"relocation"`
	Other             int            `json:"other"`
	Overseas          int            `json:"overseas"`
	IPOProceedsYi     string         `json:"ipo_proceeds_yi"` // exact decimal, 亿元
	ProceedsGrowthPct *float64       `json:"proceeds_growth_pct"`
	ListedAtEnd       listedJSON     `json:"listed_at_end"`
	InTutoringAtEnd   int            `json:"in_tutoring_at_end"`
}

// buildListingReport shapes the service's report for output.
func buildListingReport(res listing.Report) listingReport {
	c := res.Counts
	rep := listingReport{Date: res.At.Format(time.DateOnly), Region: res.Region, Stages: map[string]int{}, InPipeline: c.InPipeline, Listed: listedJSON(c.Listed)}
	for _, st := range listing.AllStages {
		rep.Stages[string(st)] = c.ByStage[st]
	}
	for _, y := range res.Years {
		yj := listingYearJSON{Year: y.Year, Entered: map[string]int{}, NewListings: y.Listings.Total, IPO: y.Listings.IPO, DomesticIPO: y.Listings.DomesticIPO,
			Relocation: y.Listings.Relocation, Other: y.Listings.Other, Overseas: y.Listings.Overseas, IPOProceedsYi: yiString(int64(y.IPOProceeds)),
			ListedAtEnd: listedJSON(y.ListedAtEnd), InTutoringAtEnd: y.InTutoringAtEnd}
		for st, n := range y.Entered {
			yj.Entered[string(st)] = n
		}
		if y.GrowthKnown {
			g := y.ProceedsGrowthPct
			yj.ProceedsGrowthPct = &g
		}
		rep.Years = append(rep.Years, yj)
	}
	return rep
}

// yiString renders fen as 亿元 with two decimals, rounded half up.
func yiString(fen int64) string {
	perCent := int64(unit.Yi / 100) // fen in 0.01 亿元
	cents := (fen + perCent/2) / perCent
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// writeText prints the report. The command prints zh-CN, whose texts carry
// English glosses; lang en prints the English texts alone.
func (rep listingReport) writeText(w io.Writer, regionName string) error {
	const lang = i18n.ZH
	fmt.Fprint(w, msg(lang, "cli.listing.title", rep.Date, regionName))
	for _, st := range listing.AllStages {
		fmt.Fprintf(w, "  %-36s %6d\n", msg(lang, "cli.listing.stage."+string(st)), rep.Stages[string(st)])
	}
	fmt.Fprint(w, msg(lang, "cli.listing.in_pipeline", rep.InPipeline))
	fmt.Fprint(w, msg(lang, "cli.listing.listed", rep.Listed.Total, rep.Listed.Domestic, rep.Listed.Overseas))
	for _, y := range rep.Years {
		fmt.Fprintf(w, "\n%d\n", y.Year)
		fmt.Fprint(w, msg(lang, "cli.listing.year_tutoring", y.Entered[string(listing.StageTutoring)]))
		fmt.Fprint(w, msg(lang, "cli.listing.year_listings", y.NewListings, y.IPO, y.DomesticIPO, y.Relocation, y.Other))
		growth := "–"
		if y.ProceedsGrowthPct != nil {
			growth = fmt.Sprintf("%+.1f %%", *y.ProceedsGrowthPct)
		}
		fmt.Fprint(w, msg(lang, "cli.listing.year_proceeds", y.IPOProceedsYi, growth))
		fmt.Fprint(w, msg(lang, "cli.listing.year_listed_end", y.ListedAtEnd.Total))
		fmt.Fprint(w, msg(lang, "cli.listing.year_tutoring_end", y.InTutoringAtEnd))
	}
	return nil
}
