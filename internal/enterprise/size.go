package enterprise

import "github.com/industrybrain/ibrain/internal/unit"

// Size is an enterprise size class per 《统计上大中小微型企业划分办法（2017）》.
type Size string

// Size classes, largest first.
const (
	SizeLarge  Size = "large"
	SizeMedium Size = "medium"
	SizeSmall  Size = "small"
	SizeMicro  Size = "micro"
)

// Sizes lists the classes in order.
var Sizes = []Size{SizeLarge, SizeMedium, SizeSmall, SizeMicro}

// SizeRule is one versioned size-class rule for one industry group: the lower
// bounds of employees and revenue for large, medium and small.
type SizeRule struct {
	ID             string
	EmployeesMin   [3]int      // large, medium, small
	RevenueMin     [3]unit.Fen // large, medium, small
	Classification string      // source text
}

// IndustrySize2017 is the industry (工业: sections B, C, D) row of the 2017
// rules: large X≥1000 and Y≥¥400 m; medium X≥300 and Y≥¥20 m; small X≥20 and
// Y≥¥3 m; otherwise micro.
var IndustrySize2017 = SizeRule{
	ID:             "nbs-2017-industry",
	EmployeesMin:   [3]int{1000, 300, 20},
	RevenueMin:     [3]unit.Fen{40000 * unit.Wan, 2000 * unit.Wan, 300 * unit.Wan},
	Classification: "国统字〔2017〕213号",
}

// Classify returns the size class for employees and operating revenue. Large,
// medium and small need both lower bounds, otherwise the firm drops a class;
// micro needs only one, so the class is the smaller of the two indicator
// classes.
func (r SizeRule) Classify(employees int, revenue unit.Fen) Size {
	byX, byY := 3, 3
	for i := 2; i >= 0; i-- {
		if employees >= r.EmployeesMin[i] {
			byX = i
		}
		if revenue >= r.RevenueMin[i] {
			byY = i
		}
	}
	return Sizes[max(byX, byY)]
}

// AboveScaleThreshold is the revenue line of 规模以上工业 since 2011:
// annual main-business (operating) revenue of ¥20 m.
const AboveScaleThreshold = 2000 * unit.Wan
