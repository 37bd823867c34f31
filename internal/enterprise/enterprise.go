// Package enterprise holds the enterprise registry's types and rules: the
// enterprise record, its yearly statistical status (size class, above-scale)
// and the quality titles it holds.
package enterprise

import (
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Enterprise is one legal-person unit in the registry.
type Enterprise struct {
	ID           int64
	CreditCode   string     // GB 32100, validated by package creditcode
	Name         string     // registered Chinese name
	RegionCode   string     // statistical unit: GB/T 2260 code or a zone code (region package)
	IndustryCode string     // GB/T 4754-2017 4-digit class (industry package)
	Founded      time.Time  // date of establishment
	LandArea     unit.Mu100 // land in use, hundredths of a mu
	Titles       []Title    // filled by queries that ask for them
}

// Year is the enterprise's statistical status for one year. Size class and
// above-scale status are set once a year and not changed in monthly
// statistics (Chongqing statistics bureau practice).
type Year struct {
	EnterpriseID int64
	Year         int
	AboveScale   bool     // 规模以上: in the year's above-scale survey set
	Employees    int      // average employees used for the size class
	Revenue      unit.Fen // prior-year operating revenue used for the size class
	Size         Size
}

// TitleKind names a quality-enterprise title.
type TitleKind string

// The titles the platform tracks, from the tiered cultivation system.
const (
	TitleInnovativeSME TitleKind = "innovative_sme"  // 创新型中小企业
	TitleSpecialized   TitleKind = "specialized_sme" // 专精特新中小企业
	TitleLittleGiant   TitleKind = "little_giant"    // 专精特新"小巨人"
	TitleChampion      TitleKind = "single_champion" // 制造业单项冠军
	TitleHighTech      TitleKind = "high_tech"       // 高新技术企业
	TitleUnicorn       TitleKind = "unicorn"         // 独角兽
	TitlePotentialUni  TitleKind = "potential_unicorn"
	TitleGazelle       TitleKind = "gazelle" // 瞪羚
)

// TitleKinds lists every kind in display order.
var TitleKinds = []TitleKind{TitleInnovativeSME, TitleSpecialized, TitleLittleGiant, TitleChampion, TitleHighTech, TitleUnicorn, TitlePotentialUni, TitleGazelle}

// Valid reports whether k is a known title kind.
func (k TitleKind) Valid() bool {
	for _, x := range TitleKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Specialized reports whether the title counts as "专精特新" in statistics
// (the provincial title and the national 小巨人 above it).
func (k TitleKind) Specialized() bool {
	return k == TitleSpecialized || k == TitleLittleGiant
}

// TitleLevel is the level of the body that granted a title.
type TitleLevel string

// Title levels.
const (
	LevelNational   TitleLevel = "national"
	LevelProvincial TitleLevel = "provincial" // Chongqing is a province-level municipality
	LevelDistrict   TitleLevel = "district"
)

// Title is a quality title held by an enterprise for a validity period.
type Title struct {
	EnterpriseID int64
	Kind         TitleKind
	Level        TitleLevel
	GrantedOn    time.Time
	ValidUntil   time.Time // exclusive; zero means no expiry
}

// ValidOn reports whether the title is in force on day d.
func (t Title) ValidOn(d time.Time) bool {
	if d.Before(t.GrantedOn) {
		return false
	}
	return t.ValidUntil.IsZero() || d.Before(t.ValidUntil)
}

// Contact is the personal data a registry holds on an enterprise: its
// legal representative (法定代表人) and the person to contact with a phone
// number. It is shown unmasked only to users holding personal.read
// (auth.Masker).
type Contact struct {
	EnterpriseID int64
	LegalRep     string
	Name         string
	Phone        string
}
