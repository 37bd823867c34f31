package cluster

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/industry"
)

func mustBuiltin(t *testing.T) *Set {
	t.Helper()
	s, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return s
}

func mustCatalogue(t *testing.T, id string) *Catalogue {
	t.Helper()
	c, ok := mustBuiltin(t).ByID(id)
	if !ok {
		t.Fatalf("no catalogue %s", id)
	}
	return c
}

func TestBuiltinTierCounts(t *testing.T) {
	s := mustBuiltin(t)
	if got := len(s.Catalogues); got != 2 {
		t.Fatalf("got %d catalogues, want 2", got)
	}
	for _, c := range s.Catalogues {
		for _, tt := range []struct {
			tier Tier
			want int
		}{{TierLeading, 3}, {TierPillar, 3}, {TierCharacteristic, 6}, {TierNewStar, 18}} {
			t.Run(c.ID+" has "+string(tt.tier)+" clusters", func(t *testing.T) {
				if got := len(c.ByTier(tt.tier)); got != tt.want {
					t.Fatalf("got %d, want %d", got, tt.want)
				}
			})
		}
		t.Run(c.ID+" splits new stars 6 future and 12 high-growth", func(t *testing.T) {
			n := map[string]int{}
			for _, k := range c.ByTier(TierNewStar) {
				n[k.Group]++
			}
			if n[GroupFuture] != 6 || n[GroupHighGrowth] != 12 {
				t.Fatalf("got %v", n)
			}
		})
		t.Run(c.ID+" marks the new-star names unverified", func(t *testing.T) {
			if !strings.Contains(c.Source, "UNVERIFIED") {
				t.Fatalf("source %q", c.Source)
			}
		})
	}
}

func TestBuiltinNamedClusters(t *testing.T) {
	c := mustCatalogue(t, "33618-2023")
	want := map[Tier][]string{
		TierLeading:        {"智能网联新能源汽车", "新一代电子信息制造业", "先进材料"},
		TierPillar:         {"智能装备及智能制造", "食品及农产品加工", "软件信息服务"},
		TierCharacteristic: {"新型显示", "高端摩托车", "轻合金材料", "轻纺", "生物医药", "新能源及新型储能"},
	}
	for tier, names := range want {
		t.Run(string(tier)+" clusters are the official ones in order", func(t *testing.T) {
			var got []string
			for _, k := range c.ByTier(tier) {
				got = append(got, k.NameZh)
			}
			if !slices.Equal(got, names) {
				t.Fatalf("got %v, want %v", got, names)
			}
		})
	}
}

func TestFutureIndustriesChangeIn2024(t *testing.T) {
	names := func(c *Catalogue) []string {
		var out []string
		for _, k := range c.ByTier(TierNewStar) {
			if k.Group == GroupFuture {
				out = append(out, k.NameZh)
			}
		}
		return out
	}
	tests := []struct {
		id   string
		want []string
	}{
		{"33618-2023", []string{"卫星互联网", "生物制造", "生命科学", "元宇宙", "前沿新材料", "未来能源"}},
		{"33618-2024", []string{"空天信息", "生物制造", "前沿新材料", "氢能核能及新型储能", "人工智能", "低空经济"}},
	}
	for _, tt := range tests {
		t.Run(tt.id+" future industries", func(t *testing.T) {
			if got := names(mustCatalogue(t, tt.id)); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("high-growth industries are the same in both versions", func(t *testing.T) {
		hg := func(c *Catalogue) (out []Cluster) {
			for _, k := range c.ByTier(TierNewStar) {
				if k.Group == GroupHighGrowth {
					out = append(out, k)
				}
			}
			return out
		}
		a, b := hg(mustCatalogue(t, "33618-2023")), hg(mustCatalogue(t, "33618-2024"))
		if !slices.EqualFunc(a, b, func(x, y Cluster) bool { return x.Code == y.Code && slices.Equal(x.Industries, y.Industries) }) {
			t.Fatal("high-growth clusters differ between versions")
		}
	})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		catalog  string
		code     string
		wantCode string // "" = no cluster
		wantZh   string
	}{
		{"new-energy vehicles", "33618-2023", "3612", "L1-nev", "智能网联新能源汽车"},
		{"petrol vehicles are in the vehicle cluster too", "33618-2023", "3611", "L1-nev", "智能网联新能源汽车"},
		{"in-vehicle smart devices go to vehicles, not electronics", "33618-2023", "3962", "L1-nev", "智能网联新能源汽车"},
		{"display devices go to 新型显示, not electronics", "33618-2023", "3974", "C1-display", "新型显示"},
		{"computers stay in electronics", "33618-2023", "3911", "L2-electronics", "新一代电子信息制造业"},
		{"motorcycles go to 高端摩托车, not equipment", "33618-2023", "3751", "C2-motorcycle", "高端摩托车"},
		{"application software", "33618-2023", "6513", "P3-software", "软件信息服务"},
		{"IC design goes to the new star, not software", "33618-2023", "6520", "N07-power-semi", "功率半导体及集成电路"},
		{"aluminium rolling goes to 轻合金, not materials", "33618-2023", "3252", "C3-light-alloy", "轻合金材料"},
		{"steel rolling stays in materials", "33618-2023", "3130", "L3-materials", "先进材料"},
		{"chemical APIs", "33618-2023", "2710", "C5-biomed", "生物医药"},
		{"vaccines are life sciences in 2023", "33618-2023", "2762", "N03-life-sciences", "生命科学"},
		{"vaccines return to biomedicine in 2024", "33618-2024", "2762", "C5-biomed", "生物医药"},
		{"wearables are metaverse in 2023", "33618-2023", "3961", "N04-metaverse", "元宇宙"},
		{"wearables are AI in 2024", "33618-2024", "3961", "N21-ai", "人工智能"},
		{"drones are low-altitude economy in 2024", "33618-2024", "3963", "N22-low-altitude", "低空经济"},
		{"drones stay in electronics in 2023", "33618-2023", "3963", "L2-electronics", "新一代电子信息制造业"},
		{"wind turbines go to new energy, not power equipment", "33618-2023", "3415", "C6-new-energy", "新能源及新型储能"},
		{"fuel cells go to future energy, not batteries", "33618-2023", "3849", "N06-future-energy", "未来能源"},
		{"lithium batteries", "33618-2024", "3841", "C6-new-energy", "新能源及新型储能"},
		{"automation systems go to smart equipment, not instruments", "33618-2023", "4011", "N12-smart-mfg-equipment", "智能制造装备"},
		{"rice milling is food", "33618-2023", "1311", "P2-food", "食品及农产品加工"},
		{"tobacco has no cluster", "33618-2023", "1620", "", ""},
		{"coal mining has no cluster", "33618-2024", "0610", "", ""},
		{"thermal power has no cluster", "33618-2024", "4411", "", ""},
		{"empty code has no cluster", "33618-2023", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ok := mustCatalogue(t, tt.catalog).Classify(tt.code)
			if ok != (tt.wantCode != "") || k.Code != tt.wantCode || k.NameZh != tt.wantZh {
				t.Fatalf("Classify(%q) = %s %s, %v; want %q %s", tt.code, k.Code, k.NameZh, ok, tt.wantCode, tt.wantZh)
			}
		})
	}
}

func TestClassifyRules(t *testing.T) {
	c := &Catalogue{Clusters: []Cluster{
		{Code: "A", Industries: []string{"39"}},
		{Code: "B", Industries: []string{"397"}},
		{Code: "C", Industries: []string{"3974"}},
		{Code: "D", Industries: []string{"397"}}, // same prefix as B, listed later
	}}
	tests := []struct {
		name, code, want string
	}{
		{"longest prefix wins over shorter", "3974", "C"},
		{"group prefix wins over division", "3973", "B"},
		{"tie goes to the first listed", "3971", "B"},
		{"division prefix catches the rest", "3911", "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if k, _ := c.Classify(tt.code); k.Code != tt.want {
				t.Fatalf("Classify(%q) = %s, want %s", tt.code, k.Code, tt.want)
			}
		})
	}
}

// Every manufacturing class gets a cluster except these, which are
// deliberately outside the 33618 system; mining and utilities have none.
func TestManufacturingCoverage(t *testing.T) {
	cls, err := industry.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	noCluster := []string{
		"16",                // 烟草制品业: state monopoly, not a cluster
		"251", "252", "254", // 石油、煤炭及其他燃料加工 except 2530 核燃料加工 (future energy)
		"41", // 其他制造业
		"42", // 废弃资源综合利用业
	}
	wantNone := func(code string) bool {
		if s, _ := industry.Section(code); s != 'C' {
			return true
		}
		for _, p := range noCluster {
			if strings.HasPrefix(code, p) {
				return true
			}
		}
		return false
	}
	for _, c := range mustBuiltin(t).Catalogues {
		t.Run(c.ID+" assigns every class as listed", func(t *testing.T) {
			for _, k := range cls.Classes() {
				got, ok := c.Classify(k.Code)
				if ok == wantNone(k.Code) {
					t.Errorf("%s %s: cluster %q, want none=%v", k.Code, k.NameZh, got.Code, wantNone(k.Code))
				}
			}
		})
		t.Run(c.ID+" leaves only servers without an industry code", func(t *testing.T) {
			var empty []string
			for _, k := range c.Clusters {
				if len(k.Industries) == 0 {
					empty = append(empty, k.Code)
				}
			}
			if !slices.Equal(empty, []string{"N09-servers"}) {
				t.Fatalf("clusters without prefixes: %v", empty)
			}
		})
		t.Run(c.ID+" gives every other cluster at least one class", func(t *testing.T) {
			reached := map[string]bool{}
			for _, k := range cls.Classes() {
				if got, ok := c.Classify(k.Code); ok {
					reached[got.Code] = true
				}
			}
			for _, code := range []string{"6513", "6520"} { // section I
				if got, ok := c.Classify(code); ok {
					reached[got.Code] = true
				}
			}
			for _, k := range c.Clusters {
				if len(k.Industries) > 0 && !reached[k.Code] {
					t.Errorf("%s %s is shadowed by other clusters", k.Code, k.NameZh)
				}
			}
		})
	}
}

func TestAt(t *testing.T) {
	s := mustBuiltin(t)
	tests := []struct {
		name, day, want string
	}{
		{"before the system falls back to the earliest", "2022-06-30", "33618-2023"},
		{"first day of 2023 version", "2023-07-01", "33618-2023"},
		{"end of 2023", "2023-12-31", "33618-2023"},
		{"last day of 2023 version", "2024-09-26", "33618-2023"},
		{"first day of 2024 version", "2024-09-27", "33618-2024"},
		{"end of 2024", "2024-12-31", "33618-2024"},
		{"open-ended version holds later", "2030-01-01", "33618-2024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.At(tt.day); got == nil || got.ID != tt.want {
				t.Fatalf("At(%s) = %v, want %s", tt.day, got, tt.want)
			}
		})
	}
	t.Run("empty set has none", func(t *testing.T) {
		if got := (&Set{}).At("2024-01-01"); got != nil {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("a gap keeps the older version", func(t *testing.T) {
		g := &Set{Catalogues: []Catalogue{
			{ID: "a", EffectiveFrom: "2023-01-01", EffectiveTo: "2023-06-30"},
			{ID: "b", EffectiveFrom: "2023-09-01"},
		}}
		if got := g.At("2023-08-01"); got.ID != "a" {
			t.Fatalf("got %s", got.ID)
		}
	})
}

func TestByCodeAndTier(t *testing.T) {
	c := mustCatalogue(t, "33618-2024")
	tests := []struct {
		name, code, wantZh string
		wantTier           Tier
		wantOK             bool
	}{
		{"leading cluster", "L1-nev", "智能网联新能源汽车", TierLeading, true},
		{"pillar cluster", "P3-software", "软件信息服务", TierPillar, true},
		{"characteristic cluster", "C1-display", "新型显示", TierCharacteristic, true},
		{"new-star cluster", "N07-power-semi", "功率半导体及集成电路", TierNewStar, true},
		{"2023-only cluster is absent in 2024", "N04-metaverse", "", "", false},
		{"unknown code", "X1", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ok := c.ByCode(tt.code)
			if ok != tt.wantOK || k.NameZh != tt.wantZh || k.Tier != tt.wantTier {
				t.Fatalf("ByCode(%q) = %+v, %v", tt.code, k, ok)
			}
		})
	}
	t.Run("tier names", func(t *testing.T) {
		if TierLeading.NameZh() != "万亿级主导产业集群" || TierNewStar.NameEn() != "New-star clusters" || Tier("x").Valid() {
			t.Fatal("tier names wrong")
		}
	})
}

// validSet builds a minimal catalogue that passes validation, for the
// rejection tests to break one thing at a time: clusters 0–2 leading, 3–5
// pillar, 6–11 characteristic, 12–17 future and 18–29 high-growth new
// stars, each on its own manufacturing division.
func validSet() *Set {
	var ks []Cluster
	add := func(n int, tier Tier, group string) {
		for i := 0; i < n; i++ {
			div := fmt.Sprint(13 + len(ks))
			ks = append(ks, Cluster{Code: "k" + div, NameZh: "集群", NameEn: "cluster", Tier: tier, Group: group, Industries: []string{div}})
		}
	}
	add(3, TierLeading, "")
	add(3, TierPillar, "")
	add(6, TierCharacteristic, "")
	add(6, TierNewStar, GroupFuture)
	add(12, TierNewStar, GroupHighGrowth)
	return &Set{Catalogues: []Catalogue{{ID: "x", EffectiveFrom: "2023-07-01", Clusters: ks}}}
}

func TestValidateRejectsBadData(t *testing.T) {
	cls, err := industry.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		break_  func(s *Set)
		wantErr string // empty: must pass
	}{
		{"valid data passes", func(s *Set) {}, ""},
		{"too few leading clusters", func(s *Set) { s.Catalogues[0].Clusters[0].Tier = TierPillar }, "tier"},
		{"unknown tier", func(s *Set) { s.Catalogues[0].Clusters[0].Tier = "gold" }, "unknown tier"},
		{"repeated cluster code", func(s *Set) { s.Catalogues[0].Clusters[1].Code = s.Catalogues[0].Clusters[0].Code }, "repeated"},
		{"unknown industry code", func(s *Set) { s.Catalogues[0].Clusters[0].Industries = []string{"3613"} }, "not in"},
		{"non-numeric prefix", func(s *Set) { s.Catalogues[0].Clusters[0].Industries = []string{"C36"} }, "2–4 digit"},
		{"section I prefix is allowed", func(s *Set) { s.Catalogues[0].Clusters[0].Industries = []string{"6513"} }, ""},
		{"other service prefix is not", func(s *Set) { s.Catalogues[0].Clusters[0].Industries = []string{"7010"} }, "not in"},
		{"same prefix in two clusters", func(s *Set) { s.Catalogues[0].Clusters[1].Industries = s.Catalogues[0].Clusters[0].Industries }, "listed by both"},
		{"new star without group", func(s *Set) { s.Catalogues[0].Clusters[12].Group = "" }, "group"},
		{"group on a leading cluster", func(s *Set) { s.Catalogues[0].Clusters[0].Group = GroupFuture }, "not new-star"},
		{"7 future new stars", func(s *Set) { s.Catalogues[0].Clusters[20].Group = GroupFuture }, "new-star group"},
		{"leading cluster without prefixes", func(s *Set) { s.Catalogues[0].Clusters[0].Industries = nil }, "no industry codes"},
		{"missing English name", func(s *Set) { s.Catalogues[0].Clusters[0].NameEn = "" }, "both names"},
		{"bad effective date", func(s *Set) { s.Catalogues[0].EffectiveFrom = "2023-7-1" }, "effective_from"},
		{"end before start", func(s *Set) { s.Catalogues[0].EffectiveTo = "2023-06-30" }, "effective_to"},
		{"open-ended version followed by another", func(s *Set) {
			next := s.Catalogues[0]
			next.ID, next.EffectiveFrom = "y", "2024-09-27"
			s.Catalogues = append(s.Catalogues, next)
		}, "overlap"},
		{"overlapping ranges", func(s *Set) {
			s.Catalogues[0].EffectiveTo = "2024-09-27"
			next := s.Catalogues[0]
			next.ID, next.EffectiveFrom, next.EffectiveTo = "y", "2024-09-27", ""
			s.Catalogues = append(s.Catalogues, next)
		}, "overlap"},
		{"adjacent ranges are fine", func(s *Set) {
			s.Catalogues[0].EffectiveTo = "2024-09-26"
			next := s.Catalogues[0]
			next.ID, next.EffectiveFrom, next.EffectiveTo = "y", "2024-09-27", ""
			s.Catalogues = append(s.Catalogues, next)
		}, ""},
		{"repeated catalogue id", func(s *Set) {
			s.Catalogues[0].EffectiveTo = "2024-09-26"
			next := s.Catalogues[0]
			next.EffectiveFrom, next.EffectiveTo = "2024-09-27", ""
			s.Catalogues = append(s.Catalogues, next)
		}, "repeated"},
		{"no catalogues", func(s *Set) { s.Catalogues = nil }, "no catalogues"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSet()
			tt.break_(s)
			err := s.validate(cls)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTierNames(t *testing.T) {
	want := map[Tier]string{TierLeading: "万亿级主导产业集群", TierPillar: "五千亿级支柱产业集群",
		TierCharacteristic: "千亿级特色优势产业集群", TierNewStar: "“新星”产业集群"}
	for tier, zh := range want {
		if tier.NameZh() != zh || tier.NameEn() == "" || !tier.Valid() {
			t.Errorf("%s: %q / %q", tier, tier.NameZh(), tier.NameEn())
		}
	}
	if len(tierNames()) != len(tierInfo) {
		t.Errorf("tiers.json names %d tiers, the package has %d", len(tierNames()), len(tierInfo))
	}
	if Tier("x").NameZh() != "" || Tier("x").Valid() {
		t.Error("an unknown tier has a name")
	}
}
