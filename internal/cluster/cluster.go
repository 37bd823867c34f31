// Package cluster holds Chongqing's "33618" modern manufacturing cluster
// system (现代制造业集群体系) as versioned reference data: 3 trillion-yuan
// leading clusters, 3 pillar clusters, 6 characteristic clusters and 18
// “新星” (new-star) clusters.
//
// Each catalogue version has an effective date range, and each cluster is
// defined by GB/T 4754-2017 code prefixes, so an enterprise's cluster follows
// from its industry code and the date.
//
// # One cluster per enterprise
//
// The clusters overlap by design: 新型显示 lies inside electronics, 轻合金
// inside 先进材料, most new-star clusters inside a larger cluster. So that
// cluster totals add up to the whole without double counting, Classify
// assigns exactly one cluster: the one with the LONGEST prefix matching the
// industry code (3974 goes to 新型显示, not to 39 electronics); on equal
// length the cluster listed first in the catalogue wins. The built-in data
// never lists the same prefix twice in a catalogue, since the later cluster
// could then never win.
//
// Software and information services (软件信息服务) are defined by section I
// codes (65), which lie outside the industrial classification; codes
// starting 63–65 are therefore accepted without a classification check.
//
// The names of the 18 new-star clusters are unverified (see the catalogue
// source text) and are kept as editable data. One of them, 服务器
// (servers), has no prefix at all: servers share class 3911 with laptops
// and PCs, and giving it 3911 would empty the electronics cluster, so
// server makers cannot be found from the industry code.
package cluster

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/industry"
)

//go:embed catalogues_33618.json
var cataloguesJSON []byte

// Tier is a level of the 33618 system.
type Tier string

// The four tiers, in the order the system names them.
const (
	TierLeading        Tier = "leading"        // 万亿级主导产业集群, 3 clusters
	TierPillar         Tier = "pillar"         // 五千亿级支柱产业集群, 3 clusters
	TierCharacteristic Tier = "characteristic" // 千亿级特色优势产业集群, 6 clusters
	TierNewStar        Tier = "new_star"       // “新星”产业集群, 18 clusters
)

// Tiers lists the tiers in display order.
var Tiers = []Tier{TierLeading, TierPillar, TierCharacteristic, TierNewStar}

// Groups of the new-star tier.
const (
	GroupFuture     = "future"      // 未来产业
	GroupHighGrowth = "high_growth" // 高成长性产业
)

// tierInfo is each tier's cluster count in every catalogue version.
var tierInfo = map[Tier]struct{ size int }{
	TierLeading:        {3},
	TierPillar:         {3},
	TierCharacteristic: {6},
	TierNewStar:        {18},
}

// The tiers' official names are data, embedded from tiers.json.
//
//go:embed tiers.json
var tiersJSON []byte

var tierNames = sync.OnceValue(func() map[Tier]struct{ ZH, EN string } {
	var f struct {
		Tiers map[Tier]struct{ ZH, EN string } `json:"tiers"`
	}
	if err := json.Unmarshal(tiersJSON, &f); err != nil {
		panic(fmt.Sprintf("cluster: tiers.json: %v", err)) // compiled in; TestTierNames reads it
	}
	return f.Tiers
})

// groupSize is how many new-star clusters each group has in every version.
var groupSize = map[string]int{GroupFuture: 6, GroupHighGrowth: 12}

// NameZh returns the tier's Chinese name, or "" for an unknown tier.
func (t Tier) NameZh() string { return tierNames()[t].ZH }

// NameEn returns the tier's English name, or "" for an unknown tier.
func (t Tier) NameEn() string { return tierNames()[t].EN }

// Valid reports whether t is one of the four tiers.
func (t Tier) Valid() bool { _, ok := tierInfo[t]; return ok }

// Cluster is one cluster of a catalogue version.
type Cluster struct {
	Code   string `json:"code"` // stable across versions, e.g. "L1-nev"
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Tier   Tier   `json:"tier"`
	Group  string `json:"group,omitempty"` // new-star only: "future" or "high_growth"
	// Industries are GB/T 4754-2017 division, group or class codes; an
	// industry code belongs to the cluster when one of them is its prefix.
	Industries []string `json:"industries"`
}

// Catalogue is one version of the 33618 system.
type Catalogue struct {
	ID            string    `json:"id"`
	Version       string    `json:"version"`
	EffectiveFrom string    `json:"effective_from"` // YYYY-MM-DD, inclusive
	EffectiveTo   string    `json:"effective_to"`   // YYYY-MM-DD, inclusive; "" = open
	Source        string    `json:"source"`
	Clusters      []Cluster `json:"clusters"`
}

// Set is every catalogue version, ordered by EffectiveFrom.
type Set struct {
	Catalogues []Catalogue `json:"catalogues"`
}

// Builtin returns the embedded catalogues, validated against the built-in
// GB/T 4754-2017 classification. The result is shared: do not modify it.
func Builtin() (*Set, error) { return builtin() }

var builtin = sync.OnceValues(func() (*Set, error) {
	cls, err := industry.Builtin()
	if err != nil {
		return nil, err
	}
	return parse(cataloguesJSON, cls)
})

func parse(data []byte, cls *industry.Classification) (*Set, error) {
	var s Set
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("cluster: catalogues: %w", err)
	}
	slices.SortStableFunc(s.Catalogues, func(a, b Catalogue) int { return strings.Compare(a.EffectiveFrom, b.EffectiveFrom) })
	if err := s.validate(cls); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Set) validate(cls *industry.Classification) error {
	if len(s.Catalogues) == 0 {
		return fmt.Errorf("cluster: no catalogues")
	}
	ids := map[string]bool{}
	for i := range s.Catalogues {
		c := &s.Catalogues[i]
		if c.ID == "" || ids[c.ID] {
			return fmt.Errorf("cluster: catalogue id %q is empty or repeated", c.ID)
		}
		ids[c.ID] = true
		if !isDate(c.EffectiveFrom) {
			return fmt.Errorf("cluster: catalogue %s: effective_from %q is not YYYY-MM-DD", c.ID, c.EffectiveFrom)
		}
		if c.EffectiveTo != "" && (!isDate(c.EffectiveTo) || c.EffectiveTo < c.EffectiveFrom) {
			return fmt.Errorf("cluster: catalogue %s: effective_to %q is not a date on or after %s", c.ID, c.EffectiveTo, c.EffectiveFrom)
		}
		if i > 0 {
			prev := s.Catalogues[i-1]
			if prev.EffectiveTo == "" || prev.EffectiveTo >= c.EffectiveFrom {
				return fmt.Errorf("cluster: catalogues %s and %s overlap", prev.ID, c.ID)
			}
		}
		if err := c.validate(cls); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalogue) validate(cls *industry.Classification) error {
	codes := map[string]bool{}
	prefixes := map[string]string{} // prefix → cluster code
	tiers := map[Tier]int{}
	groups := map[string]int{}
	for _, k := range c.Clusters {
		if k.Code == "" || codes[k.Code] {
			return fmt.Errorf("cluster: catalogue %s: cluster code %q is empty or repeated", c.ID, k.Code)
		}
		codes[k.Code] = true
		if k.NameZh == "" || k.NameEn == "" {
			return fmt.Errorf("cluster: catalogue %s: %s needs both names", c.ID, k.Code)
		}
		if !k.Tier.Valid() {
			return fmt.Errorf("cluster: catalogue %s: %s has unknown tier %q", c.ID, k.Code, k.Tier)
		}
		tiers[k.Tier]++
		if k.Tier == TierNewStar {
			if _, ok := groupSize[k.Group]; !ok {
				return fmt.Errorf("cluster: catalogue %s: new-star cluster %s has group %q, want %q or %q", c.ID, k.Code, k.Group, GroupFuture, GroupHighGrowth)
			}
			groups[k.Group]++
		} else if k.Group != "" {
			return fmt.Errorf("cluster: catalogue %s: %s is not new-star but has group %q", c.ID, k.Code, k.Group)
		}
		// Only a new-star cluster may lack prefixes: one (servers) cannot be
		// told apart from its neighbours by industry code at all.
		if len(k.Industries) == 0 && k.Tier != TierNewStar {
			return fmt.Errorf("cluster: catalogue %s: %s lists no industry codes", c.ID, k.Code)
		}
		for _, p := range k.Industries {
			if err := checkPrefix(p, cls); err != nil {
				return fmt.Errorf("cluster: catalogue %s: %s: %w", c.ID, k.Code, err)
			}
			if other, dup := prefixes[p]; dup {
				return fmt.Errorf("cluster: catalogue %s: prefix %s is listed by both %s and %s", c.ID, p, other, k.Code)
			}
			prefixes[p] = k.Code
		}
	}
	for t, info := range tierInfo {
		if tiers[t] != info.size {
			return fmt.Errorf("cluster: catalogue %s: tier %s has %d clusters, want %d", c.ID, t, tiers[t], info.size)
		}
	}
	for g, n := range groupSize {
		if groups[g] != n {
			return fmt.Errorf("cluster: catalogue %s: new-star group %s has %d clusters, want %d", c.ID, g, groups[g], n)
		}
	}
	return nil
}

// checkPrefix accepts a GB/T 4754-2017 code of sections B–D known to the
// classification, or a 2–4 digit code of divisions 63–65 (section I,
// information services), which the industrial classification does not hold.
func checkPrefix(p string, cls *industry.Classification) error {
	if len(p) < 2 || len(p) > 4 || strings.Trim(p, "0123456789") != "" {
		return fmt.Errorf("industry prefix %q is not a 2–4 digit code", p)
	}
	switch p[:2] {
	case "63", "64", "65":
		return nil
	}
	if _, ok := cls.Lookup(p); !ok {
		return fmt.Errorf("industry prefix %s is not in %s sections B–D", p, cls.Standard)
	}
	return nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// At returns the catalogue in force on day (YYYY-MM-DD): the latest version
// that took effect on or before day. A day before the first version gets
// the earliest one: the system only began in July 2023, and reading 2022
// and early-2023 data on the first definition is what makes 2023's
// year-on-year cluster growth comparable. A day in a gap between versions
// keeps the older one until its successor starts. It returns nil only for
// an empty set.
func (s *Set) At(day string) *Catalogue {
	if len(s.Catalogues) == 0 {
		return nil
	}
	// ISO dates order as strings, so no parsing is needed.
	at := &s.Catalogues[0]
	for i := range s.Catalogues {
		if s.Catalogues[i].EffectiveFrom <= day {
			at = &s.Catalogues[i]
		}
	}
	return at
}

// ByID returns a catalogue version by its id.
func (s *Set) ByID(id string) (*Catalogue, bool) {
	for i := range s.Catalogues {
		if s.Catalogues[i].ID == id {
			return &s.Catalogues[i], true
		}
	}
	return nil, false
}

// Classify returns the cluster of an industry code: the cluster with the
// longest matching prefix, the first listed on a tie; false when no
// cluster's prefix matches.
func (c *Catalogue) Classify(industryCode string) (Cluster, bool) {
	best, bestLen := -1, 0
	for i, k := range c.Clusters {
		for _, p := range k.Industries {
			if len(p) > bestLen && strings.HasPrefix(industryCode, p) {
				best, bestLen = i, len(p)
			}
		}
	}
	if best < 0 {
		return Cluster{}, false
	}
	return c.Clusters[best], true
}

// ByCode returns a cluster by its code.
func (c *Catalogue) ByCode(code string) (Cluster, bool) {
	for _, k := range c.Clusters {
		if k.Code == code {
			return k, true
		}
	}
	return Cluster{}, false
}

// ByTier returns the clusters of a tier in catalogue order.
func (c *Catalogue) ByTier(t Tier) []Cluster {
	var out []Cluster
	for _, k := range c.Clusters {
		if k.Tier == t {
			out = append(out, k)
		}
	}
	return out
}
