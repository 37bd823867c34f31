package cultivationweb

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/web"
)

// The tiered-cultivation pages: an enterprise's eligibility for every
// title, and the city's (or a district's) funnel and candidate lists.

// eligibilityPage is GET /enterprises/{id}/eligibility.
type eligibilityPage struct {
	web.BasePage
	ID         int64
	Name       string
	CreditCode string
	ProfileURL string
	Date       string
	Reminders  []reminderView
	Tiers      []tierView
	NoFacts    bool
}

type reminderView struct {
	Kind, Text, Due string
	Urgent          bool
}

// tierView is one title on the eligibility page.
type tierView struct {
	Anchor    string
	Title     string
	Held      bool
	HasRules  bool
	RuleSetID string
	// RuleSetLabel names the rule set for readers (title and version).
	RuleSetLabel string
	RuleSet      string
	Version      string
	Source       string
	Kind         string
	Status       string
	StatusKey    string
	Qualifies    bool
	Summary      string
	Criteria     []criterionRow
	WhatIfs      []string
	NotMetRows   int
}

// criterionRow is one node of the criteria tree, flattened with its depth.
type criterionRow struct {
	ID          string
	Depth       int
	Leaf        bool
	Status      string
	StatusKey   string
	Label       string
	Value       string
	Threshold   string
	Explanation string
}

func (m *module) eligibilityPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	asOf, err := m.assessmentDate(ctx, r.URL.Query())
	if err != nil {
		return err
	}
	el, raw, err := m.svc.Eligibility(ctx, c.Scope(), id, asOf)
	if err != nil {
		return err
	}
	t := func(key string) string { return m.core.T(lang, key) }
	e := raw.Enterprise
	p := eligibilityPage{ID: id, Name: e.Name, CreditCode: e.CreditCode, ProfileURL: "/enterprises/" + strconv.FormatInt(id, 10),
		Date: asOf.Format(time.DateOnly), NoFacts: len(raw.Facts) == 0}
	p.BasePage = m.core.Base(r, c, "cultivation.eligibility.title", "enterprises")
	p.Module = "cultivation"
	p.Title = e.Name + " · " + t("cultivation.eligibility.title")
	p.Scripts = []string{"app.js"}
	p.Crumbs = m.core.EntCrumbs(c, id, e.Name, e.RegionCode, t("cultivation.eligibility.title"))
	p.WithEntTabs(id, "eligibility")
	for _, rem := range el.Reminders {
		p.Reminders = append(p.Reminders, reminderView{Kind: t("cultivation.reminder." + string(rem.Kind)), Text: rem.Text.Lang(lang),
			Due: rem.Due.String(), Urgent: rem.DaysLeft < 30})
	}
	for _, te := range el.Titles {
		tv := tierView{Anchor: "tier-" + string(te.Tier.Title), Title: t("title_kind." + string(te.Tier.Title)), Held: te.Held}
		if te.Tier.Title == enterprise.TitleInnovativeSME && te.Result != nil && te.Result.RuleSet.TitleKind == rules.TitleTechInnovativeSME {
			tv.Title = te.Result.RuleSet.Title.Lang(lang)
		}
		if res := te.Result; res != nil {
			info := res.RuleSet
			tv.HasRules, tv.RuleSetID, tv.RuleSet, tv.Version, tv.Source = true, info.ID, info.Policy.Lang(lang), info.Version, info.Source
			tv.RuleSetLabel = m.ruleSetLabel(lang, info)
			tv.Kind = t("cultivation.kind." + string(res.Kind))
			tv.Status, tv.StatusKey, tv.Qualifies = res.Outcome.Text().Lang(lang), res.Outcome.String(), cultivation.Qualifies(res.Outcome)
			tv.Summary = res.Summary().Lang(lang)
			tv.Criteria = criterionRows(res.Criteria, lang)
			for _, c := range tv.Criteria {
				if c.Leaf && c.StatusKey == "not_met" {
					tv.NotMetRows++
				}
			}
			for i := range res.WhatIf {
				tv.WhatIfs = append(tv.WhatIfs, res.WhatIf[i].Text().Lang(lang))
			}
		}
		p.Tiers = append(p.Tiers, tv)
	}
	return m.core.Render(w, r, c, "cultivation_eligibility.html", p)
}

// criterionRows flattens the criteria tree depth-first; bands that do not
// apply are left out. Texts are rendered in the page's language only.
func criterionRows(n *rules.Node, lang string) []criterionRow {
	if n == nil {
		return nil
	}
	var out []criterionRow
	var walk func(c *rules.Node, depth int)
	walk = func(c *rules.Node, depth int) {
		if c.Status == rules.StatusNotApplicable && depth > 0 {
			return
		}
		key := c.Status.String()
		out = append(out, criterionRow{ID: c.ID(), Depth: min(depth, 6), Leaf: len(c.Children) == 0, StatusKey: key,
			Status: statusText(key).Lang(lang), Label: c.Label().Lang(lang), Explanation: c.ExplainIn(lang),
			Value: c.ValueTextIn(lang), Threshold: c.ThresholdTextIn(lang)})
		for i := range c.Children {
			walk(&c.Children[i], depth+1)
		}
	}
	walk(n, 0)
	return out
}

// statusText is the display text of a status by its JSON name.
func statusText(key string) rules.Text {
	for _, s := range []rules.Status{rules.StatusMet, rules.StatusNotMet, rules.StatusUnknown, rules.StatusManual} {
		if s.String() == key {
			return s.Text()
		}
	}
	return rules.StatusNotApplicable.Text()
}

// cultivationPage is GET /cultivation: the funnel and the candidate list.
type cultivationPage struct {
	web.BasePage
	Date         string
	DataAsOf     string // when the screened data were read
	Regions      []web.Option
	RegionLocked string
	Clusters     []web.OptionGroup
	TitleOpts    []web.Option
	StatusOpts   []web.Option
	Steps        []funnelView
	Title        string
	Items        []candidateView
	Total        int
	Page, Pages  int
	From, To     int
	PrevURL      string
	NextURL      string
	ExportXLSX   string
	FunnelURL    string
}

type funnelView struct {
	Title, Name                                     string
	Rung                                            int
	Holders, Qualifying, NearMiss, Unknown          int
	PassReview, FailReview                          int
	HoldersW, QualifyingW, NearW, Y, LabelY, TotalW int // SVG geometry
	ListURL                                         string
}

type candidateView struct {
	Rank                         int
	Name, CreditCode, URL        string
	Region, Cluster              string
	Status, StatusKey            string
	NearMiss                     bool
	Met, NotMet, Unknown, Manual int
	Revenue                      string
}

func (m *module) cultivationPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang, usr := r.Context(), c.Lang, c.User
	if usr.Role == auth.RoleEnterprise {
		http.Redirect(w, r, "/enterprises/"+strconv.FormatInt(usr.EnterpriseID, 10)+"/eligibility", http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	sp, sg, err := m.screen(r, c)
	if err != nil {
		return err
	}
	sp.perPage = web.UIPerPage
	t := func(key string) string { return m.core.T(lang, key) }
	regions := m.core.Regions()
	p := cultivationPage{Date: sp.asOf.Format(time.DateOnly), DataAsOf: sg.ReadAt.Format("2006-01-02 15:04"), Page: sp.page}
	p.BasePage = m.core.Base(r, c, "cultivation.title", "cultivation")
	p.Scripts = []string{"app.js"}
	p.Crumbs = []web.Crumb{{Label: t("scope.city"), URL: "/"}, {Label: p.BasePage.Title}}
	if usr.Role == auth.RoleDistrict {
		reg, _ := regions.ByCode(usr.RegionCode)
		p.RegionLocked = web.RegionName(lang, reg)
		p.Crumbs = []web.Crumb{{Label: web.RegionName(lang, reg), URL: web.DistrictURL(reg.Code)}, {Label: p.BasePage.Title}}
	}
	for _, rg := range regions.Regions {
		p.Regions = append(p.Regions, web.Option{Value: rg.Code, Label: web.RegionName(lang, rg), Selected: rg.Code == sp.filter.RegionCode})
	}
	clusters, clusterList, err := m.core.ClusterIndex(ctx, max(sp.asOf.Year()-1, 2000))
	if err != nil {
		return err
	}
	for _, cl := range clusterList {
		label := m.core.TierName(lang, cl.Tier)
		if len(p.Clusters) == 0 || p.Clusters[len(p.Clusters)-1].Label != label {
			p.Clusters = append(p.Clusters, web.OptionGroup{Label: label})
		}
		g := &p.Clusters[len(p.Clusters)-1]
		g.Options = append(g.Options, web.Option{Value: cl.Code, Label: web.ClusterName(lang, cl), Selected: cl.Code == sp.filter.ClusterCode})
	}
	for _, tr := range cultivation.Tiers() {
		p.TitleOpts = append(p.TitleOpts, web.Option{Value: string(tr.Title), Label: t("title_kind." + string(tr.Title)), Selected: tr.Title == sp.title})
	}
	for _, st := range []cultivation.CandidateStatus{cultivation.CandidatesAll, cultivation.CandidatesQualifying, cultivation.CandidatesNear} {
		p.StatusOpts = append(p.StatusOpts, web.Option{Value: string(st), Label: t("cultivation.status." + string(st)), Selected: st == sp.status})
	}
	p.Title = t("title_kind." + string(sp.title))

	// The funnel: the ladder only, drawn as bars scaled to the widest rung.
	steps := sg.Funnel(sp.filter)
	widest := 1
	for _, st := range steps {
		if st.Tier.Rung > 0 {
			widest = max(widest, st.Holders+st.Qualifying+st.NearMiss)
		}
	}
	const barW = 560
	y := 0
	for _, st := range steps {
		fv := funnelView{Title: string(st.Tier.Title), Name: t("title_kind." + string(st.Tier.Title)), Rung: st.Tier.Rung,
			Holders: st.Holders, Qualifying: st.Qualifying, NearMiss: st.NearMiss, Unknown: st.Unknown, PassReview: st.PassReview, FailReview: st.FailReview}
		lq := web.CleanQuery(q)
		lq.Set("title", string(st.Tier.Title))
		lq.Del("page")
		fv.ListURL = "/cultivation?" + lq.Encode() + "#candidates"
		if st.Tier.Rung > 0 {
			fv.HoldersW = st.Holders * barW / widest
			fv.QualifyingW = st.Qualifying * barW / widest
			fv.NearW = st.NearMiss * barW / widest
			fv.TotalW = fv.HoldersW + fv.QualifyingW + fv.NearW
			fv.Y, fv.LabelY = y, y+22
			y += 40
		}
		p.Steps = append(p.Steps, fv)
	}

	cs, total := sg.CandidatesPage(sp.title, sp.filter, sp.status, (sp.page-1)*web.UIPerPage, web.UIPerPage)
	p.Total = total
	p.Pages = max(1, (p.Total+web.UIPerPage-1)/web.UIPerPage)
	start := min((sp.page-1)*web.UIPerPage, p.Total)
	end := min(start+web.UIPerPage, p.Total)
	if p.Total > 0 {
		p.From, p.To = start+1, end
	}
	for _, c := range cs {
		cv := candidateView{Rank: c.Rank, Name: c.Subject.Name, CreditCode: c.Subject.CreditCode,
			URL:    "/enterprises/" + strconv.FormatInt(c.Subject.ID, 10) + "/eligibility?date=" + url.QueryEscape(p.Date) + "#tier-" + string(sp.title),
			Status: c.Verdict.Outcome.Text().Lang(lang), StatusKey: c.Verdict.Outcome.String(), NearMiss: c.Verdict.NearMiss(),
			Met: c.Verdict.Met, NotMet: c.Verdict.NotMet, Unknown: c.Verdict.Unknown, Manual: c.Verdict.Manual, Revenue: "–"}
		if c.Revenue > 0 {
			cv.Revenue = web.FormatNumber(c.Revenue.Yuan10k(), 0)
		}
		if reg, ok := regions.ByCode(c.Subject.RegionCode); ok {
			cv.Region = web.RegionName(lang, reg)
		}
		if cl, ok := clusters[c.Subject.ClusterCode]; ok {
			cv.Cluster = web.ClusterName(lang, cl)
		}
		p.Items = append(p.Items, cv)
	}
	pageURL := func(n int) string {
		v := web.CleanQuery(q)
		v.Set("page", strconv.Itoa(n))
		return "/cultivation?" + v.Encode() + "#candidates"
	}
	if sp.page > 1 {
		p.PrevURL = pageURL(sp.page - 1)
	}
	if sp.page < p.Pages {
		p.NextURL = pageURL(sp.page + 1)
	}
	export := web.CleanQuery(q)
	export.Del("page")
	export.Set("lang", lang)
	export.Set("title", string(sp.title))
	export.Set("date", p.Date)
	p.ExportXLSX = "/api/v1/cultivation/candidates.xlsx?" + export.Encode()
	export.Del("title")
	p.FunnelURL = "/api/v1/cultivation/funnel?" + export.Encode()
	return m.core.Render(w, r, c, "cultivation.html", p)
}
