package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/region"
)

// codeCharset is GB 32100's 31-character set (I, O, S, V, Z excluded).
const codeCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// shortName drops the administrative suffix of a district or county name:
// 璧山区 → 璧山, 石柱土家族自治县 → 石柱.
func shortName(zh string) string {
	for _, suf := range []string{"土家族苗族自治县", "苗族土家族自治县", "土家族自治县", "区", "县"} {
		if s, ok := strings.CutSuffix(zh, suf); ok && s != "" {
			return s
		}
	}
	return zh
}

// identities gives every firm a unique synthetic name and a unique, valid
// credit code registered in its district (a zone firm in one of the zone's
// host districts).
func (ds *dataset) identities(r *rand.Rand, regions *region.Catalogue) error {
	names := map[string]bool{}
	codes := map[string]bool{}
	for _, f := range ds.firms {
		reg, _ := regions.ByCode(f.region)
		gb := reg.Code
		if reg.IsZone() {
			gb = reg.HostCodes[r.IntN(len(reg.HostCodes))]
		}
		host, _ := regions.ByCode(gb)
		if err := ds.name(r, f, host, names); err != nil {
			return err
		}
		for {
			c, err := creditCode(r, gb, f.founded.Year() >= 2016)
			if err != nil {
				return err
			}
			if !codes[c] {
				codes[c] = true
				f.code = c
				break
			}
		}
	}
	return nil
}

func (ds *dataset) name(r *rand.Rand, f *firm, host region.Region, used map[string]bool) error {
	g := groups[f.g]
	form := "有限公司"
	big := ds.moneyMap(f.latent[nYears-1]) >= 1e9*100
	if (big && r.Float64() < 0.35) || r.Float64() < 0.05 {
		form = "股份有限公司"
	}
	if f.giant {
		for _, gi := range giants {
			if gi.code == f.class && gi.region == f.region {
				form = gi.form
			}
		}
	}
	for try := 0; try < 200; try++ {
		trade := string(tradeFirst[r.IntN(len(tradeFirst))]) + string(tradeSecond[r.IntN(len(tradeSecond))])
		if try > 100 {
			trade += string(tradeSecond[r.IntN(len(tradeSecond))])
		}
		if []rune(trade)[0] == []rune(trade)[1] || realTrade[trade] {
			continue
		}
		word := g.words[r.IntN(len(g.words))]
		var n string
		switch u := r.Float64(); {
		case u < 0.45:
			n = "重庆" + trade + word + form
		case u < 0.65:
			n = "重庆" + shortName(host.NameZh) + trade + word + form
		case u < 0.85:
			n = "重庆市" + host.NameZh + trade + word + form
		default:
			n = trade + word + "（重庆）" + form
		}
		if !used[n] {
			used[n] = true
			f.name, f.trade = n, trade
			return nil
		}
	}
	return fmt.Errorf("demo: could not find a unique name for firm %d", f.idx)
}

// creditCode builds a valid unified social credit code: '9' (market
// regulation) '1' (enterprise), the GB/T 2260 code of the registering
// district, an organisation code body with its GB 11714 check character,
// and the GB 32100 check character. Firms registered since the 2015 reform
// get the "MA" bodies real codes of that period carry.
func creditCode(r *rand.Rand, gb string, modern bool) (string, error) {
	body := make([]byte, 8)
	for i := range body {
		body[i] = codeCharset[r.IntN(len(codeCharset))]
	}
	if modern {
		body[0], body[1] = 'M', 'A'
	} else {
		body[0] = "2457"[r.IntN(4)]
		for i := 1; i < 8; i++ {
			body[i] = byte('0' + r.IntN(10))
		}
	}
	oc, ok := creditcode.OrgCheckChar(string(body))
	if !ok {
		return "", fmt.Errorf("demo: bad organisation code body %q", body)
	}
	first := "91" + gb + string(body) + string(oc)
	cc, err := creditcode.CheckChar(first)
	if err != nil {
		return "", fmt.Errorf("demo: credit code %s: %w", first, err)
	}
	return first + string(cc), nil
}
