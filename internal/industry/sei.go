package industry

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

//go:embed sei_2018.json
var seiJSON []byte

// SEIDomain is one of the nine domains (领域) of 《战略性新兴产业分类（2018）》.
type SEIDomain struct {
	Code   int    `json:"code"` // 1–9
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	// Industries are GB/T 4754-2017 class or group codes of sections B–D;
	// a group code stands for all its classes.
	Industries []string `json:"industries"`
}

// SEICatalogue is a versioned SEI classification expressed as industry
// codes. See the package doc for how it approximates the official table.
type SEICatalogue struct {
	ID            string      `json:"id"`
	Version       string      `json:"version"`
	EffectiveFrom string      `json:"effective_from"` // YYYY-MM-DD
	Source        string      `json:"source"`
	Domains       []SEIDomain `json:"domains"`
}

// BuiltinSEI returns the embedded 2018 SEI catalogue, validated against the
// built-in classification.
func BuiltinSEI() (*SEICatalogue, error) { return builtinSEI() }

var builtinSEI = sync.OnceValues(func() (*SEICatalogue, error) {
	cls, err := Builtin()
	if err != nil {
		return nil, err
	}
	return parseSEI(seiJSON, cls)
})

func parseSEI(data []byte, cls *Classification) (*SEICatalogue, error) {
	var s SEICatalogue
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("industry: SEI catalogue: %w", err)
	}
	if err := s.validate(cls); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *SEICatalogue) validate(cls *Classification) error {
	if s.ID == "" || s.Version == "" {
		return fmt.Errorf("industry: SEI catalogue: id and version are required")
	}
	if _, err := time.Parse(time.DateOnly, s.EffectiveFrom); err != nil {
		return fmt.Errorf("industry: SEI catalogue %s: effective_from %q is not YYYY-MM-DD", s.ID, s.EffectiveFrom)
	}
	domains := map[int]bool{}
	owner := map[string]int{}
	for _, d := range s.Domains {
		if d.Code < 1 || d.Code > 9 || domains[d.Code] {
			return fmt.Errorf("industry: SEI catalogue %s: domain code %d is out of range 1–9 or repeated", s.ID, d.Code)
		}
		domains[d.Code] = true
		if d.NameZh == "" || d.NameEn == "" {
			return fmt.Errorf("industry: SEI catalogue %s: domain %d needs both names", s.ID, d.Code)
		}
		for _, code := range d.Industries {
			k, ok := cls.Lookup(code)
			if !ok {
				return fmt.Errorf("industry: SEI catalogue %s: domain %d lists %q, which is not a B–D code of %s", s.ID, d.Code, code, cls.Standard)
			}
			if k.Level == 2 {
				// A whole division is never strategic-emerging; listing one
				// is almost certainly a typo for a group or class.
				return fmt.Errorf("industry: SEI catalogue %s: domain %d lists division %s; list groups or classes", s.ID, d.Code, code)
			}
			if prev, dup := owner[code]; dup {
				return fmt.Errorf("industry: SEI catalogue %s: %s is listed by domains %d and %d", s.ID, code, prev, d.Code)
			}
			owner[code] = d.Code
		}
	}
	return nil
}

// Domain returns the SEI domain (1–9) of an industry class by the longest
// listed prefix of the code, so a class listed on its own overrides its
// group; it returns 0, false when the class is not strategic emerging.
func (s *SEICatalogue) Domain(industryCode string) (int, bool) {
	best, bestLen := 0, 0
	for _, d := range s.Domains {
		for _, p := range d.Industries {
			if len(p) > bestLen && strings.HasPrefix(industryCode, p) {
				best, bestLen = d.Code, len(p)
			}
		}
	}
	return best, bestLen > 0
}

// DomainInfo returns a domain by its code.
func (s *SEICatalogue) DomainInfo(code int) (SEIDomain, bool) {
	for _, d := range s.Domains {
		if d.Code == code {
			return d, true
		}
	}
	return SEIDomain{}, false
}
