package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestInstrumentSearchIndex holds the in-memory index to the SQL search
// on a random catalogue: the same totals, facets and pages for texts
// (bigrams, model numbers, lone characters, misses), filters and
// offsets, before and after instruments are retired, taken offline,
// re-ranked and added, on both engines.
func TestInstrumentSearchIndex(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		us, err := st.PutUnits(ctx, []instruments.Unit{{Name: "甲", Type: instruments.University, RegionCode: "500109"}, {Name: "乙", Type: instruments.Enterprise, RegionCode: "500103"}})
		if err != nil {
			t.Fatal(err)
		}
		names := []struct{ name, model, class string }{
			{"场发射扫描电镜", "SU8010", "01"}, {"透射电镜", "JEM-2100F", "01"}, {"液相色谱质谱联用仪", "6545", "01"}, {"核磁共振波谱仪", "AVANCE 600", "01"},
			{"万能材料试验机", "5985", "02"}, {"矢量网络分析仪", "N5227B", "04"}, {"工业CT", "v|tome|x", "11"}, {"镜", "su8010", "01"},
		}
		r := rand.New(rand.NewPCG(3, 3))
		var batch []NewInstrument
		for i := range 300 {
			k := names[r.IntN(len(names))]
			u := us[r.IntN(2)]
			modes := []instruments.Mode{instruments.Assisted}
			if r.IntN(2) == 0 {
				modes = append(modes, instruments.SampleSending)
			}
			var items []instruments.ServiceItem
			if r.IntN(5) > 0 {
				items = []instruments.ServiceItem{{Name: "h", Mode: instruments.Assisted, Unit: instruments.PerHour,
					Rates: []instruments.Rate{{Category: instruments.EnterpriseUser, EffectiveFrom: "2020-01-01", Price: unit.Fen(50+r.IntN(1500)) * unit.Yuan}}}}
			}
			status := instruments.Open
			if r.IntN(10) == 0 {
				status = instruments.Draft
			}
			batch = append(batch, NewInstrument{Instrument: instruments.Instrument{UnitID: u.ID, LocalID: strconv.Itoa(i), Name: k.name, ClassCode: k.class,
				Model: k.model, Manufacturer: []string{"日立", "蔡司", "Bruker"}[r.IntN(3)], Capabilities: "形貌 分析", OriginalValue: 1_000_000 * unit.Yuan,
				RegionCode: u.RegionCode, Status: status, EnrolledOn: "2020-01-01", Modes: modes, Rules: instruments.DefaultRules()}, Items: items})
		}
		ids, err := st.CreateInstruments(ctx, batch, CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		queries := []instruments.SearchQuery{
			{Text: "电镜"}, {Text: "SU8010"}, {Text: "su8010"}, {Text: "质谱", Class: "01"}, {Text: "镜"}, {Text: "扫描 日立"}, {Text: "bruker"},
			{Text: "电镜", Band: "200_500"}, {Text: "电镜", UnitType: instruments.Enterprise, Mode: instruments.SampleSending}, {Text: "无此仪器"},
			{}, {Class: "02"}, {Region: "500103", Band: "ge1000"}, {Text: "电镜", Offset: 20}, {Text: "", Offset: 250}, {Text: "分析", Limit: 5, Offset: 3},
		}
		compare := func(stage string) {
			t.Helper()
			for _, q := range queries {
				if q.Limit == 0 {
					q.Limit = 20
				}
				want, err := st.searchInstrumentsSQL(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				hits := func(res instruments.SearchResult) string {
					s := ""
					for _, h := range res.Hits {
						s += fmt.Sprintf("%d/%s/%d ", h.ID, h.UnitName, h.PriceFrom)
					}
					return s
				}
				// Twice: the second answer is the remembered one, which a
				// caller changing the first answer's facets must not touch.
				for range 2 {
					got, err := st.SearchInstruments(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if got.Total != want.Total || fmt.Sprint(got.Facets) != fmt.Sprint(want.Facets) || hits(got) != hits(want) {
						t.Errorf("%s %+v:\n index %d %v %s\n   sql %d %v %s", stage, q, got.Total, got.Facets, hits(got), want.Total, want.Facets, hits(want))
					}
					got.Facets["class"] = nil
				}
			}
		}
		compare("created")
		// Retire some, take some offline, re-rank others (as orders and
		// reviews do), open a draft, add more.
		for i, id := range ids[:60] {
			switch i % 3 {
			case 0:
				_, err = st.UpdateInstrument(ctx, id, func(in instruments.Instrument) (instruments.Instrument, error) {
					in.Status, in.RemovedOn, in.RetireReason = instruments.Retired, "2025-01-01", "x"
					return in, nil
				})
			case 1:
				_, err = st.UpdateInstrument(ctx, id, func(in instruments.Instrument) (instruments.Instrument, error) {
					in.Status = instruments.Open
					if i%2 == 0 {
						in.Status, in.OfflineUntil = instruments.Offline, "2027-01-01"
					}
					return in, nil
				})
			default:
				err = st.inTx(ctx, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `UPDATE instrument SET uses = uses + $2 WHERE id = $1`, id, 1+i); err != nil {
						return err
					}
					return rerank(ctx, tx, id)
				})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.CreateInstruments(ctx, batch[:40], CreateOptions{SkipExisting: true}); err != nil {
			t.Fatal(err)
		}
		more := batch[:30]
		for i := range more {
			more[i].Instrument.LocalID = "more-" + strconv.Itoa(i)
		}
		if _, err := st.CreateInstruments(ctx, more, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		compare("changed")
		// A second store on the same database (another process) sees the
		// first one's writes through the change log.
		if st.engine == SQLite {
			return
		}
		_, err = st.UpdateInstrument(ctx, ids[100], func(in instruments.Instrument) (instruments.Instrument, error) {
			in.Status, in.RemovedOn, in.RetireReason = instruments.Retired, "2025-01-01", "x"
			return in, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		compare("after another write")
	})
}
