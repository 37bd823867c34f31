package demo

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The PostgreSQL run of these checks is part of TestAcceptancePostgres.
func TestInstrumentFiguresSQLite(t *testing.T) {
	t.Parallel()
	runInstrumentAcceptance(t, openLoadedSQLite(t))
}

// runInstrumentAcceptance computes the document's 2023 instrument figures
// from the stored records with the platform's statistics (the service the
// statistics page and API use) and compares them with the document
// (seed-figures.md).
func runInstrumentAcceptance(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	s, err := instruments.NewService(st, instruments.Options{}).Stats(ctx, 2023, 5)
	if err != nil {
		t.Fatal(err)
	}
	if s.Enrolled != 1011 || s.Removed != 719 || s.Total != 9288 {
		t.Errorf("2023: %d enrolled, %d removed, %d in total; want 1,011, 719, 9,288", s.Enrolled, s.Removed, s.Total)
	}
	// About ¥7.99 bn: rounds to 79.9 亿元.
	if yi := float64(s.Value) / float64(unit.Yi); math.Round(yi*10)/10 != 79.9 {
		t.Errorf("original value %.3f 亿元, want about 79.9", yi)
	}
	pct := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	wantTypes := map[instruments.UnitType][3]string{
		instruments.University: {"265", "4453", "47.94"}, instruments.Institute: {"420", "2423", "26.09"},
		instruments.Enterprise: {"133", "1601", "17.24"}, instruments.OtherUnit: {"193", "811", "8.73"},
	}
	for _, row := range s.ByType {
		w := wantTypes[instruments.UnitType(row.Key)]
		if got := [3]string{fmt.Sprint(row.New), fmt.Sprint(row.N), pct(row.SharePct)}; got != w {
			t.Errorf("%s: %v, want %v", row.Key, got, w)
		}
	}
	wantUnits := []string{"西南大学", "重庆大学", "重庆市计量质量检测研究院", "陆军军医大学", "重庆医科大学"}
	for i, u := range s.TopUnits {
		if u.Label != wantUnits[i] {
			t.Errorf("unit %d: %s, want %s", i+1, u.Label, wantUnits[i])
		}
	}
	if u := s.TopUnits[0]; u.N != 1081 || pct(u.SharePct) != "11.64" {
		t.Errorf("西南大学: %d (%.2f%%), want 1,081 (11.64%%)", u.N, u.SharePct)
	}
	wantClasses := []string{"01 4177 44.97", "02 725 7.81", "04 622 6.70", "12 619 6.66", "03 318 3.42"}
	for i, c := range s.TopClasses {
		if got := fmt.Sprintf("%s %d %s", c.Key, c.N, pct(c.SharePct)); got != wantClasses[i] {
			t.Errorf("class %d: %s, want %s", i+1, got, wantClasses[i])
		}
	}
	// Search over the demo: the two-character term and the model hit.
	svc := instruments.NewService(st, instruments.Options{})
	for _, q := range []string{"电镜", "SU8010", "质谱", "核磁"} {
		res, err := svc.Search(ctx, instruments.SearchQuery{Text: q})
		if err != nil || res.Total == 0 {
			t.Errorf("search %q: %d hits, %v", q, res.Total, err)
		}
	}
}
