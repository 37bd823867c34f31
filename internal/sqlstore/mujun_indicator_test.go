package sqlstore

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/industrybrain/ibrain/internal/mujun"
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

func BenchmarkStoredIndicatorDecode(b *testing.B) {
	in := storedIndicator{Code: "output_per_mu", Weight: 20, Value: 123.456, Benchmark: 300, RawScore: 8.2304, CappedScore: 8.2304, Score: 8.2304}
	raw, _ := json.Marshal(resultDetail{Ind: []storedIndicator{in, in, in, in, in, in}})
	b.ReportAllocs()
	for b.Loop() {
		var d resultDetail
		if err := json.Unmarshal(raw, &d); err != nil {
			b.Fatal(err)
		}
	}
}
