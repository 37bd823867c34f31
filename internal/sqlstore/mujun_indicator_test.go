package sqlstore

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/unit"
)

// randomIndicator gives values of every magnitude and sign, exponents
// included, and codes that MarshalJSON writes with and without escapes.
func randomIndicator(r *rand.Rand) storedIndicator {
	codes := []string{"output_per_mu", "tax_per_mu", "", "a,b", `say "x"`, `back\slash`, "亩均税收", "a\nb", "],[", "true"}
	f := func() float64 {
		switch r.IntN(5) {
		case 0:
			return 0
		case 1:
			return float64(r.IntN(2000) - 1000)
		case 2:
			return (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(60)-30))
		case 3:
			return -r.Float64()
		}
		return r.NormFloat64() * 1e6
	}
	return storedIndicator{
		Code: mujun.IndicatorCode(codes[r.IntN(len(codes))]), Weight: f(), Value: f(), Missing: r.IntN(2) == 0,
		Benchmark: f(), RawScore: f(), CappedScore: f(), Score: f(), Filled: mujun.MissingRule(codes[r.IntN(len(codes))]),
	}
}

// TestStoredIndicatorDecode: what MarshalJSON writes reads back exactly,
// whether the plain form's fast path takes it or the generic decode does.
func TestStoredIndicatorDecode(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 2024))
	plain := 0
	for i := 0; i < 20000; i++ {
		in := randomIndicator(r)
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out storedIndicator
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if out != in {
			t.Fatalf("%s read back as %+v, want %+v", b, out, in)
		}
		var fast storedIndicator
		if fast.decodePlain(b) {
			plain++
			if fast != in {
				t.Fatalf("fast path read %s as %+v, want %+v", b, fast, in)
			}
		}
	}
	if plain < 4000 {
		t.Fatalf("the fast path took only %d of 20000 arrays", plain)
	}
}

// TestStoredIndicatorDecodeOtherForms: valid JSON the fast path does not
// take still decodes, and invalid arrays are refused.
func TestStoredIndicatorDecodeOtherForms(t *testing.T) {
	want := storedIndicator{Code: "x,y", Weight: 20, Value: 1.5, Missing: true, Benchmark: 3, RawScore: 1e-7, CappedScore: -2, Score: 0, Filled: "zero"}
	for _, b := range []string{
		`["x,y",20,1.5,true,3,1e-7,-2,0,"zero"]`,
		`[ "x\u002cy", 20, 1.5, true, 3, 1E-7, -2, 0, "zero" ]`,
		`["x,y",20,1.5,true,3,0.0000001,-2,-0,"zero"]`,
	} {
		var out storedIndicator
		if err := json.Unmarshal([]byte(b), &out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if out != want {
			t.Fatalf("%s read as %+v, want %+v", b, out, want)
		}
	}
	for _, b := range []string{
		`["a",1,2,true,3,4,5,6]`,
		`["a",1,2,true,3,4,5,6,"z",7]`,
		`["a",1,2,1,3,4,5,6,"z"]`,
		`["a","1",2,true,3,4,5,6,"z"]`,
	} {
		var out storedIndicator
		if err := json.Unmarshal([]byte(b), &out); err == nil {
			t.Fatalf("%s decoded as %+v, want an error", b, out)
		}
	}
}

// randomDetail gives details with and without indicators, vetoes and
// policies of every optional field, and now and then the indicators of a
// row saved before migration 0015.
func randomDetail(r *rand.Rand) resultDetail {
	var d resultDetail
	switch r.IntN(4) {
	case 0:
	case 1:
		d.Ind = []storedIndicator{}
	default:
		plain := r.IntN(2) == 0 // codes as the configurations name them
		for range r.IntN(8) + 1 {
			si := randomIndicator(r)
			if plain {
				si.Code, si.Filled = "tax_per_mu", ""
			}
			d.Ind = append(d.Ind, si)
		}
	}
	if r.IntN(8) == 0 {
		d.Indicators = []mujun.IndicatorResult{mujun.IndicatorResult(randomIndicator(r))}
	}
	words := []string{"veto_pollution", "安全事故", `a "quoted" ]`, "x\\y"}
	for range r.IntN(3) {
		d.Vetoes = append(d.Vetoes, words[r.IntN(len(words))])
	}
	for i := range r.IntN(4) {
		p := storedPolicy{Kind: mujun.PolicyKind(words[r.IntN(len(words))])}
		switch r.IntN(4) {
		case 0:
			p.TextRef = &i
		case 1:
			p.Text = &mujun.Text{Zh: words[r.IntN(len(words))], En: "text"}
		case 2:
			p.RateFen, p.ReliefPct = int64(r.IntN(1000)), r.Float64()*100
		case 3:
			p.AmountFen = mujun.Some(unit.Fen(r.Int64N(1e12)))
		}
		d.Policies = append(d.Policies, p)
	}
	return d
}

// TestResultDetailDecode: a stored detail reads back as encoding/json
// reads it, whether its indicators take the plain path or not.
func TestResultDetailDecode(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2026))
	plain := 0
	for i := 0; i < 20000; i++ {
		in := randomDetail(r)
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var want, got resultDetail
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if err := got.decode(b); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s read as %+v, want %+v", b, got, want)
		}
		if len(b) > 7 {
			if _, _, ok := plainIndicators(b[7:]); ok {
				plain++
			}
		}
	}
	if plain < 4000 {
		t.Fatalf("the plain path took only %d of 20000 details", plain)
	}
}

// TestResultDetailDecodeOtherForms: the same detail written otherwise
// (spaces, keys in another order) reads the same, and a malformed one is
// refused whichever path sees it first.
func TestResultDetailDecodeOtherForms(t *testing.T) {
	ind := `[["a]b",20,1.5,false,3,4,4,4,""],["c",10,0,true,2,0,0,1,"group_average"]]`
	pol := `[{"kind":"measure","t":0}]`
	var want resultDetail
	if err := json.Unmarshal([]byte(`{"ind":`+ind+`,"policies":`+pol+`}`), &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Ind) != 2 || want.Ind[0].Code != "a]b" || len(want.Policies) != 1 {
		t.Fatalf("reference decode: %+v", want)
	}
	for _, b := range []string{
		`{"ind":` + ind + `,"policies":` + pol + `}`,
		`{"policies":` + pol + `,"ind":` + ind + `}`,
		`{ "ind": ` + ind + `, "policies": ` + pol + ` }`,
		`{"ind":[["a]b", 20,1.5,false,3,4,4,4,""],["c",10,0,true,2,0,0,1,"group_average"]],"policies":` + pol + `}`,
	} {
		var got resultDetail
		if err := got.decode([]byte(b)); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s read as %+v, want %+v", b, got, want)
		}
	}
	for _, b := range []string{
		`{"ind":` + ind + `,}`,
		`{"ind":` + ind + `,"policies":` + pol,
		`{"ind":` + ind + `"policies":` + pol + `}`,
		`{"ind":[["a",1,2,true,3,4,5,6,"z"],]}`,
		`{"ind":[["a",1,2,true,3,4,5,6,"z"]]}}`,
	} {
		var got resultDetail
		if err := got.decode([]byte(b)); err == nil {
			t.Fatalf("%s decoded as %+v, want an error", b, got)
		}
	}
}

func BenchmarkStoredIndicatorDecode(b *testing.B) {
	in := storedIndicator{Code: "output_per_mu", Weight: 20, Value: 123.456, Benchmark: 300, RawScore: 8.2304, CappedScore: 8.2304, Score: 8.2304}
	raw, _ := json.Marshal(resultDetail{Ind: []storedIndicator{in, in, in, in, in, in}})
	b.ReportAllocs()
	for b.Loop() {
		var d resultDetail
		if err := d.decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
