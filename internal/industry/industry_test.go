package industry

import (
	"slices"
	"strings"
	"testing"
)

func mustBuiltin(t *testing.T) *Classification {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return c
}

// The counts GB/T 4754-2017 publishes for the industrial sections; a
// dropped or invented row shows up here.
func TestBuiltinCountsMatchPublishedTotals(t *testing.T) {
	c := mustBuiltin(t)
	got := map[[2]int]int{} // {section, level} → count
	for _, e := range c.entries {
		s, _ := Section(e.Code)
		got[[2]int{int(s), e.Level}]++
	}
	tests := []struct {
		name    string
		section byte
		level   int
		want    int
	}{
		{"mining has 7 divisions", 'B', 2, 7},
		{"mining has 19 groups", 'B', 3, 19},
		{"mining has 39 classes", 'B', 4, 39},
		{"manufacturing has 31 divisions", 'C', 2, 31},
		{"manufacturing has 179 groups", 'C', 3, 179},
		{"manufacturing has 609 classes", 'C', 4, 609},
		{"utilities have 3 divisions", 'D', 2, 3},
		{"utilities have 9 groups", 'D', 3, 9},
		{"utilities have 18 classes", 'D', 4, 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := got[[2]int{int(tt.section), tt.level}]; n != tt.want {
				t.Fatalf("got %d, want %d", n, tt.want)
			}
		})
	}
	t.Run("Classes returns all 666 classes", func(t *testing.T) {
		if n := len(c.Classes()); n != 666 {
			t.Fatalf("got %d classes", n)
		}
	})
	t.Run("41 divisions each with an English name", func(t *testing.T) {
		ds := c.Divisions()
		if len(ds) != 41 {
			t.Fatalf("got %d divisions", len(ds))
		}
		for _, d := range ds {
			if d.NameEn == "" {
				t.Errorf("division %s has no English name", d.Code)
			}
		}
	})
}

func TestLookup(t *testing.T) {
	c := mustBuiltin(t)
	tests := []struct {
		name   string
		code   string
		want   string
		level  int
		wantOK bool
	}{
		{"petrol and diesel vehicles", "3611", "汽柴油车整车制造", 4, true},
		{"new-energy vehicles", "3612", "新能源车整车制造", 4, true},
		{"display devices", "3974", "显示器件制造", 4, true},
		{"complete computers", "3911", "计算机整机制造", 4, true},
		{"chemical APIs", "2710", "化学药品原料药制造", 4, true},
		{"complete motorcycles", "3751", "摩托车整车制造", 4, true},
		{"thermal power", "4411", "火力发电", 4, true},
		{"bituminous coal", "0610", "烟煤和无烟煤开采洗选", 4, true},
		{"sewage treatment", "4620", "污水处理及其再生利用", 4, true},
		{"group of complete vehicles", "361", "汽车整车制造", 3, true},
		{"single-class group restored from its class", "362", "汽车用发动机制造", 3, true},
		{"automobile division", "36", "汽车制造业", 2, true},
		{"unknown class in a known group", "3613", "", 0, false},
		{"software is outside B–D", "6513", "", 0, false},
		{"section letter prefix is not accepted", "C3612", "", 0, false},
		{"empty code", "", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ok := c.Lookup(tt.code)
			if ok != tt.wantOK || k.NameZh != tt.want || k.Level != tt.level {
				t.Fatalf("Lookup(%q) = %+v, %v; want %q level %d, %v", tt.code, k, ok, tt.want, tt.level, tt.wantOK)
			}
		})
	}
}

func TestClasses(t *testing.T) {
	c := mustBuiltin(t)
	cls := c.Classes()
	t.Run("sorted by code", func(t *testing.T) {
		if !slices.IsSortedFunc(cls, func(a, b Class) int { return strings.Compare(a.Code, b.Code) }) {
			t.Fatal("classes are not sorted")
		}
	})
	t.Run("only 4-digit classes", func(t *testing.T) {
		for _, k := range cls {
			if k.Level != 4 || len(k.Code) != 4 {
				t.Fatalf("%+v is not a class", k)
			}
		}
	})
	t.Run("names use full-width brackets", func(t *testing.T) {
		for _, k := range c.entries {
			if strings.ContainsAny(k.NameZh, "() ") {
				t.Errorf("%s %q has half-width brackets or spaces", k.Code, k.NameZh)
			}
		}
	})
	t.Run("caller cannot modify the catalogue", func(t *testing.T) {
		cls[0].NameZh = "changed"
		if c.Classes()[0].NameZh == "changed" {
			t.Fatal("Classes returned the internal slice")
		}
	})
}

func TestDivision(t *testing.T) {
	c := mustBuiltin(t)
	tests := []struct {
		name, code, want string
		wantOK           bool
	}{
		{"class gives its division", "3612", "Manufacture of Automobiles", true},
		{"group gives its division", "397", "Manufacture of Computers, Communication and Other Electronic Equipment", true},
		{"division gives itself", "44", "Production and Supply of Electricity and Heat", true},
		{"non-industrial code has none", "6513", "", false},
		{"one digit has none", "3", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := c.Division(tt.code)
			if ok != tt.wantOK || d.NameEn != tt.want {
				t.Fatalf("Division(%q) = %+v, %v", tt.code, d, ok)
			}
		})
	}
}

func TestSection(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		want   byte
		wantOK bool
	}{
		{"first mining division", "06", 'B', true},
		{"coal class", "0610", 'B', true},
		{"last mining division", "12", 'B', true},
		{"first manufacturing division", "13", 'C', true},
		{"vehicle class", "3612", 'C', true},
		{"manufacturing group", "397", 'C', true},
		{"last manufacturing division", "43", 'C', true},
		{"first utilities division", "44", 'D', true},
		{"last utilities class", "4690", 'D', true},
		{"agriculture is not industry", "0511", 0, false},
		{"construction is not industry", "47", 0, false},
		{"software is not industry", "6513", 0, false},
		{"letters are rejected", "3a12", 0, false},
		{"five digits are rejected", "36121", 0, false},
		{"one digit is rejected", "3", 0, false},
		{"empty is rejected", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Section(tt.code)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Section(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestIsManufacturing(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"food processing is manufacturing", "1311", true},
		{"repair is manufacturing", "4390", true},
		{"coal mining is not", "0610", false},
		{"thermal power is not", "4411", false},
		{"software is not", "6513", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsManufacturing(tt.code); got != tt.want {
				t.Fatalf("IsManufacturing(%q) = %v", tt.code, got)
			}
		})
	}
}

func TestParseClassificationRejectsBadData(t *testing.T) {
	const ok = `{"code":"36","name_zh":"汽车制造业","name_en":"Manufacture of Automobiles"},{"code":"361","name_zh":"汽车整车制造"},{"code":"3612","name_zh":"新能源车整车制造"}`
	tests := []struct {
		name    string
		classes string
		wantErr string // empty: must load
	}{
		{"well-formed data loads", ok, ""},
		{"duplicate code", ok + `,{"code":"3612","name_zh":"x"}`, "duplicate"},
		{"class without its group", ok + `,{"code":"3620","name_zh":"汽车用发动机制造"}`, "no parent"},
		{"non-numeric code", ok + `,{"code":"36x","name_zh":"x"}`, "bad code"},
		{"code outside B–D", `{"code":"65","name_zh":"软件和信息技术服务业","name_en":"Software"}`, "outside"},
		{"division without English name", `{"code":"36","name_zh":"汽车制造业"},{"code":"3612","name_zh":"x"}`, "English"},
		{"missing Chinese name", ok + `,{"code":"3611","name_zh":""}`, "Chinese"},
		{"group without classes", ok + `,{"code":"362","name_zh":"汽车用发动机制造"}`, "no classes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseClassification([]byte(`{"standard":"GB/T 4754-2017","classes":[` + tt.classes + `]}`))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
