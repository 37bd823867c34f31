package sqlstore

import (
	"reflect"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/rules"
)

// TestProfileGeneration checks that every write a profile is built from
// moves the generation, in the same transaction as the data (the next raw
// read shows the change), and that writes changing nothing, writes of data
// no profile reads, and rejected writes leave it alone.
func TestProfileGeneration(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w := buildSmallWorld(t, st)
		a, b := w.byName["A"], w.byName["B"]
		q := cultivation.ProfileQuery{FromYear: 2021, ToYear: 2024}
		gen := func() int64 {
			t.Helper()
			g, err := st.ProfileGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		raw := func(id int64) cultivation.Raw {
			t.Helper()
			r, err := st.ProfileRaw(ctx, auth.All(), id, q)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		last := gen()
		if last == 0 {
			t.Fatal("building the world (enterprises, reports, titles, map) left the generation at 0")
		}
		// step runs a write and checks whether the generation moved.
		step := func(name string, wantBump bool, write func() error) {
			t.Helper()
			if err := write(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			g := gen()
			switch {
			case wantBump && g <= last:
				t.Errorf("%s: generation %d, want above %d", name, g, last)
			case !wantBump && g != last:
				t.Errorf("%s: generation %d, want %d unchanged", name, g, last)
			}
			last = g
		}
		// logged checks the change log of the last write: the firms it
		// names, or every firm (nil).
		logged := func(name string, want []int64) {
			t.Helper()
			ids, all, err := st.ProfileChanges(ctx, last-1, last)
			if err != nil {
				t.Fatal(err)
			}
			if want == nil && !all || want != nil && (all || !reflect.DeepEqual(ids, want)) {
				t.Errorf("%s: change log %v (all=%v), want %v", name, ids, all, want)
			}
		}

		// Profile facts.
		facts := []cultivation.YearFacts{{EnterpriseID: a, Year: 2024, Facts: cultivation.Facts{DebtRatio: rules.Ptr[int64](4000)}, Source: "t"}}
		put := func() error { _, err := st.PutProfileFacts(ctx, facts); return err }
		step("new facts", true, put)
		step("same facts", false, put)
		facts[0].Facts.DebtRatio = rules.Ptr[int64](3000)
		step("changed facts", true, put)
		logged("changed facts", []int64{a})
		if f := raw(a).Facts; len(f) != 1 || *f[0].Facts.DebtRatio != 3000 {
			t.Errorf("facts after the write: %+v", f)
		}
		bad := []cultivation.YearFacts{{EnterpriseID: a, Year: 2023, Facts: cultivation.Facts{DebtRatio: rules.Ptr[int64](1)}}, {EnterpriseID: 999_999, Year: 2024}}
		step("rejected facts", false, func() error {
			if _, err := st.PutProfileFacts(ctx, bad); err == nil {
				t.Error("facts for an unknown enterprise were accepted")
			}
			return nil
		})

		// Facts merged by a file import take the same path.
		merge := func(debt int64) func(func(int64, int) (cultivation.Facts, bool)) ([]cultivation.YearFacts, error) {
			return func(stored func(int64, int) (cultivation.Facts, bool)) ([]cultivation.YearFacts, error) {
				f, _ := stored(a, 2024)
				f.DebtRatio = rules.Ptr(debt)
				return []cultivation.YearFacts{{EnterpriseID: a, Year: 2024, Facts: f, Source: "t"}}, nil
			}
		}
		keys := []FactsKey{{EnterpriseID: a, Year: 2024}}
		step("imported facts", true, func() error {
			_, err := st.UpdateProfileFacts(ctx, auth.All(), keys, merge(2500), ImportOptions{})
			return err
		})
		step("the same import again", false, func() error {
			_, err := st.UpdateProfileFacts(ctx, auth.All(), keys, merge(2500), ImportOptions{})
			return err
		})

		// Titles.
		title := []enterprise.Title{{EnterpriseID: a, Kind: enterprise.TitleGazelle, Level: enterprise.LevelProvincial, GrantedOn: day("2024-03-01")}}
		step("new title", true, func() error { return st.PutTitles(ctx, title) })
		step("same title", false, func() error { return st.PutTitles(ctx, title) })
		title[0].ValidUntil = day("2027-03-01")
		step("title expiry set", true, func() error { return st.PutTitles(ctx, title) })
		logged("title expiry set", []int64{a})
		if ts := raw(a).Enterprise.Titles; len(ts) != 2 || ts[1].Kind != enterprise.TitleGazelle || !ts[1].ValidUntil.Equal(day("2027-03-01")) {
			t.Errorf("titles after the write: %+v", ts)
		}

		// Reports: December ones are the year's figures a profile reads.
		var v report.Values
		v[report.Revenue], v[report.Employees] = 777_000_000, 321
		dec := []report.Monthly{{EnterpriseID: b, Period: report.Period{Year: 2024, Month: 12}, Values: v}}
		step("new December report", true, func() error { _, err := st.UpsertReports(ctx, dec); return err })
		step("same December report", false, func() error { _, err := st.UpsertReports(ctx, dec); return err })
		dec[0].Values[report.Revenue] = 888_000_000
		step("changed December report", true, func() error { _, err := st.UpsertReports(ctx, dec); return err })
		logged("changed December report", []int64{b})
		if an := raw(b).Annual; len(an) != 1 || an[0].Revenue != 888_000_000 || an[0].Employees != 321 {
			t.Errorf("annual after the write: %+v", an)
		}
		may := []report.Monthly{{EnterpriseID: b, Period: report.Period{Year: 2024, Month: 5}, Values: v}}
		step("a May report (no profile reads it)", false, func() error { _, err := st.UpsertReports(ctx, may); return err })

		// Enterprises: registry fields and yearly status.
		f := smallFirms()[0]
		row := EnterpriseWithYear{Enterprise: enterprise.Enterprise{CreditCode: f.code, Name: f.name, RegionCode: f.region, IndustryCode: f.industry, Founded: day(f.founded), LandArea: f.land}}
		upsert := func() error { _, err := st.UpsertEnterprises(ctx, []EnterpriseWithYear{row}); return err }
		step("same enterprise", false, upsert)
		row.Enterprise.Name = "重庆长安汽车集团有限公司"
		step("renamed enterprise", true, upsert)
		if got := raw(a).Enterprise.Name; got != row.Enterprise.Name {
			t.Errorf("name after the write: %q", got)
		}
		y := f.years[2024]
		y.Employees = 3300
		row.Year = &y
		step("changed yearly status", true, upsert)
		logged("changed yearly status", []int64{a})
		if ys := raw(a).Years; len(ys) != 2 || ys[1].Year != 2024 || ys[1].Employees != 3300 {
			t.Errorf("years after the write: %+v", ys)
		}
		step("new enterprise", true, func() error {
			_, err := st.UpsertEnterprises(ctx, []EnterpriseWithYear{{Enterprise: enterprise.Enterprise{CreditCode: "91500101MA5U000099", Name: "新企业", RegionCode: regionA, IndustryCode: "3011"}}})
			return err
		})

		// The industry map gives the cluster.
		m := smallMap()
		step("same industry map", false, func() error { return st.SyncIndustryMap(ctx, m) })
		m[3].ClusterCode = "C09"
		step("changed industry map", true, func() error { return st.SyncIndustryMap(ctx, m) })
		logged("changed industry map", nil)
		// Two writes together: the union; further back than the log keeps:
		// every firm.
		if ids, all, err := st.ProfileChanges(ctx, last-2, last); err != nil || !all {
			t.Errorf("across a catalogue change: %v all=%v err=%v", ids, all, err)
		}
		if _, all, _ := st.ProfileChanges(ctx, last-changeLogKeep, last); !all {
			t.Error("a generation older than the log keeps was not 'every firm'")
		}
		if c := raw(a).ClusterCode; c != "C09" {
			t.Errorf("cluster after the write: %q", c)
		}
	})
}
