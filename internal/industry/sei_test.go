package industry

import (
	"strings"
	"testing"
)

func mustSEI(t *testing.T) *SEICatalogue {
	t.Helper()
	s, err := BuiltinSEI()
	if err != nil {
		t.Fatalf("BuiltinSEI: %v", err)
	}
	return s
}

func TestBuiltinSEI(t *testing.T) {
	s := mustSEI(t)
	t.Run("nine domains numbered 1 to 9", func(t *testing.T) {
		if len(s.Domains) != 9 {
			t.Fatalf("got %d domains", len(s.Domains))
		}
		for i, d := range s.Domains {
			if d.Code != i+1 {
				t.Fatalf("domain %d has code %d", i, d.Code)
			}
		}
	})
	t.Run("domain 5 is new-energy vehicles", func(t *testing.T) {
		d, ok := s.DomainInfo(5)
		if !ok || d.NameZh != "新能源汽车产业" {
			t.Fatalf("DomainInfo(5) = %+v, %v", d, ok)
		}
	})
	t.Run("source states the approximation", func(t *testing.T) {
		if !strings.Contains(s.Source, "国家统计局令第23号") || !strings.Contains(s.Source, "approximation") {
			t.Fatalf("source %q", s.Source)
		}
	})
}

func TestSEIDomain(t *testing.T) {
	s := mustSEI(t)
	tests := []struct {
		name   string
		code   string
		want   int
		wantOK bool
	}{
		{"new-energy vehicles are domain 5", "3612", 5, true},
		{"petrol and diesel vehicles are not SEI", "3611", 0, false},
		{"rice milling is not SEI", "1311", 0, false},
		{"coal mining is not SEI", "0610", 0, false},
		{"thermal power is not SEI", "4411", 0, false},
		{"auto parts are left out as mostly traditional", "3670", 0, false},
		{"complete computers via group 391", "3911", 1, true},
		{"display devices via group 397", "3974", 1, true},
		{"electronic materials via group 398", "3985", 1, true},
		{"communication equipment via group 392", "3922", 1, true},
		{"industrial robots are high-end equipment", "3491", 2, true},
		{"aircraft via group 374", "3741", 2, true},
		{"special ceramics are new materials", "3073", 3, true},
		{"vaccines via group 276", "2762", 4, true},
		{"medical diagnostic equipment", "3581", 4, true},
		{"spectacles are not SEI", "3587", 0, false},
		{"lithium-ion batteries", "3841", 5, true},
		{"photovoltaic equipment is new energy", "3825", 6, true},
		{"wind power is new energy", "4415", 6, true},
		{"environmental equipment", "3591", 7, true},
		{"professional audio is digital creative", "3934", 8, true},
		{"a group code matches its own listing", "391", 1, true},
		{"a division is never SEI", "39", 0, false},
		{"software is outside the industrial list", "6513", 0, false},
		{"empty code", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Domain(tt.code)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Domain(%q) = %d, %v; want %d, %v", tt.code, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSEIDomainLongestPrefixWins(t *testing.T) {
	s := &SEICatalogue{Domains: []SEIDomain{
		{Code: 1, Industries: []string{"398"}},
		{Code: 3, Industries: []string{"3985"}},
	}}
	tests := []struct {
		name string
		code string
		want int
	}{
		{"class listed on its own beats its group", "3985", 3},
		{"other classes of the group keep the group's domain", "3981", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := s.Domain(tt.code); got != tt.want {
				t.Fatalf("Domain(%q) = %d, want %d", tt.code, got, tt.want)
			}
		})
	}
}

// Traditional industries must stay outside SEI whole, or the SEI share of
// value added would be inflated.
func TestSEIExcludesTraditionalDivisions(t *testing.T) {
	c, s := mustBuiltin(t), mustSEI(t)
	for _, div := range []string{"06", "13", "14", "15", "16", "17", "18", "31"} {
		t.Run("division "+div+" has no SEI class", func(t *testing.T) {
			for _, k := range c.Classes() {
				if strings.HasPrefix(k.Code, div) {
					if d, ok := s.Domain(k.Code); ok {
						t.Errorf("%s %s is in domain %d", k.Code, k.NameZh, d)
					}
				}
			}
		})
	}
	t.Run("a minority of manufacturing classes is SEI", func(t *testing.T) {
		var n, sei int
		for _, k := range c.Classes() {
			if IsManufacturing(k.Code) {
				n++
				if _, ok := s.Domain(k.Code); ok {
					sei++
				}
			}
		}
		if sei*100 < n*10 || sei*100 > n*30 {
			t.Fatalf("%d of %d manufacturing classes are SEI; expected 10–30 %%", sei, n)
		}
	})
}

func TestParseSEIRejectsBadData(t *testing.T) {
	cls := mustBuiltin(t)
	const head = `{"id":"sei-test","version":"1","effective_from":"2018-11-07","domains":[`
	tests := []struct {
		name    string
		domains string
		wantErr string // empty: must load
	}{
		{"well-formed data loads", `{"code":5,"name_zh":"新能源汽车产业","name_en":"NEV","industries":["3612"]}`, ""},
		{"unknown industry code", `{"code":5,"name_zh":"a","name_en":"b","industries":["3613"]}`, "not a B–D code"},
		{"non-industrial code", `{"code":1,"name_zh":"a","name_en":"b","industries":["6513"]}`, "not a B–D code"},
		{"whole division", `{"code":1,"name_zh":"a","name_en":"b","industries":["39"]}`, "division"},
		{"code in two domains", `{"code":1,"name_zh":"a","name_en":"b","industries":["3974"]},{"code":2,"name_zh":"c","name_en":"d","industries":["3974"]}`, "listed by domains"},
		{"code twice in one domain", `{"code":1,"name_zh":"a","name_en":"b","industries":["3974","3974"]}`, "listed by domains"},
		{"domain out of range", `{"code":10,"name_zh":"a","name_en":"b","industries":[]}`, "out of range"},
		{"repeated domain", `{"code":1,"name_zh":"a","name_en":"b"},{"code":1,"name_zh":"a","name_en":"b"}`, "repeated"},
		{"missing English name", `{"code":1,"name_zh":"a","industries":[]}`, "both names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSEI([]byte(head+tt.domains+`]}`), cls)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	t.Run("bad effective date", func(t *testing.T) {
		_, err := parseSEI([]byte(`{"id":"x","version":"1","effective_from":"2018/11/07","domains":[]}`), cls)
		if err == nil || !strings.Contains(err.Error(), "effective_from") {
			t.Fatalf("got %v", err)
		}
	})
}
