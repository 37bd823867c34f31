package region

import "testing"

func TestBuiltinCounts(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Kind]int{}
	for _, r := range c.Regions {
		counts[r.Kind]++
		if r.Kind != Zone && (len(r.Code) != 6 || r.Code[:4] != "5001" && r.Code[:4] != "5002") {
			t.Errorf("%s: GB code %q not under 5001/5002", r.NameZh, r.Code)
		}
	}
	// 26 districts + 8 counties + 4 autonomous counties = 38, plus 3 zones.
	want := map[Kind]int{District: 26, County: 8, AutonomousCounty: 4, Zone: 3}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: %d, want %d", k, counts[k], n)
		}
	}
}

func TestLookupAliases(t *testing.T) {
	c, _ := Builtin()
	for in, want := range map[string]string{"梁平县": "500155", "武隆区": "500156", "500103": "500103", "两江新区": "CQ-LJ"} {
		r, ok := c.Lookup(in)
		if !ok || r.Code != want {
			t.Errorf("Lookup(%q)=%v,%v want %s", in, r.Code, ok, want)
		}
	}
	if _, ok := c.Lookup("成都市"); ok {
		t.Error("Lookup accepted a unit outside Chongqing")
	}
}
