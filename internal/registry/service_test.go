package registry_test

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/report"
)

// fakeStore serves a list of n firms of year 2024, a page at a time, and
// one enterprise (id 1) in scope.
type fakeStore struct {
	registry.Store
	n       int
	queries int
	reports int
	last    registry.Filter // the last list's filter
}

func (f *fakeStore) ListEnterprises(_ context.Context, _ auth.Scope, flt registry.Filter) (registry.Page, error) {
	f.queries++
	f.last = flt
	page := registry.Page{Total: f.n}
	for i := flt.Offset; i < min(f.n, flt.Offset+flt.Limit); i++ {
		it := registry.Item{Year: 2024}
		it.ID = int64(i + 1)
		page.Items = append(page.Items, it)
	}
	return page, nil
}

func (f *fakeStore) Enterprise(_ context.Context, _ auth.Scope, id int64) (registry.Detail, error) {
	if id != 1 {
		return registry.Detail{}, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	var d registry.Detail
	d.ID = id
	return d, nil
}

func (f *fakeStore) EnterpriseReports(context.Context, auth.Scope, int64, int, int) ([]report.Monthly, error) {
	f.reports++
	return nil, nil
}

func (f *fakeStore) LatestPeriod(context.Context) (report.Period, error) {
	return report.Period{}, apperr.New(apperr.NotFound, "err.no_data")
}

func TestExportPagesThrough(t *testing.T) {
	st := &fakeStore{n: 2*registry.MaxLimit + 7}
	items, year, err := registry.NewService(st, nil).Export(t.Context(), auth.All(), registry.Filter{Limit: 3, Offset: 9}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != st.n || items[0].ID != 1 || items[len(items)-1].ID != int64(st.n) {
		t.Errorf("exported %d items (first %d), want all %d from the first", len(items), items[0].ID, st.n)
	}
	if st.queries != 3 || year != 2024 {
		t.Errorf("%d queries, year %d; want 3 pages of %d and the rows' year", st.queries, year, registry.MaxLimit)
	}
}

// TestSearchCountsToABound: a list with a query asks the store to stop
// counting at SearchCountLimit; a list without one, and an export, count
// every match.
func TestSearchCountsToABound(t *testing.T) {
	st := &fakeStore{n: 3}
	svc := registry.NewService(st, nil)
	for _, c := range []struct {
		f    registry.Filter
		want int
	}{
		{registry.Filter{Query: "重庆"}, registry.SearchCountLimit},
		{registry.Filter{Query: "  "}, 0},
		{registry.Filter{RegionCode: "500101"}, 0},
		{registry.Filter{Query: "重庆", CountLimit: 7}, 7},
	} {
		if _, err := svc.List(t.Context(), auth.All(), c.f); err != nil {
			t.Fatal(err)
		}
		if st.last.CountLimit != c.want {
			t.Errorf("List(%+v) counted up to %d, want %d", c.f, st.last.CountLimit, c.want)
		}
	}
	if _, _, err := svc.Export(t.Context(), auth.All(), registry.Filter{Query: "重庆"}, 0); err != nil || st.last.CountLimit != 0 {
		t.Errorf("export counted up to %d (%v), want every match", st.last.CountLimit, err)
	}
}

func TestExportRefusesTooMany(t *testing.T) {
	st := &fakeStore{n: 11}
	_, _, err := registry.NewService(st, nil).Export(t.Context(), auth.All(), registry.Filter{}, 10)
	if !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("err = %v, want TooLarge", err)
	}
}

func TestReportsOutOfScopeIsNotFound(t *testing.T) {
	st := &fakeStore{}
	svc := registry.NewService(st, nil)
	if _, err := svc.Reports(t.Context(), auth.Region("500101"), 2, 2024, 2024); !apperr.Is(err, apperr.NotFound) || st.reports != 0 {
		t.Errorf("err = %v after %d report reads, want NotFound before any", err, st.reports)
	}
	if _, ok, err := svc.LatestPeriod(t.Context()); ok || err != nil {
		t.Errorf("no reports: ok %v, err %v; want not ok and no error", ok, err)
	}
}
