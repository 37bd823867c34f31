package mujun

import (
	"errors"
	"fmt"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/i18n"
)

// Sentinel causes. Test with errors.Is on a *ValidationError or *RunError.
var (
	ErrSyntax       = errors.New("mujun: malformed configuration")
	ErrMissing      = errors.New("mujun: required field missing")
	ErrInvalidValue = errors.New("mujun: invalid value")
	ErrUnknownCode  = errors.New("mujun: unknown code")
	ErrDuplicate    = errors.New("mujun: duplicate")
	ErrWeightSum    = errors.New("mujun: weights do not sum to 100")
	ErrShareSum     = errors.New("mujun: class shares do not sum to 100 %")
	ErrClassOrder   = errors.New("mujun: classes out of order")

	ErrDuplicateEnterprise = errors.New("mujun: enterprise listed twice")
	ErrUnknownVeto         = errors.New("mujun: unknown veto code")
	ErrNoBenchmark         = errors.New("mujun: no benchmark")
	ErrPriorYear           = errors.New("mujun: prior run is not of the previous year")
	ErrTargets             = errors.New("mujun: invalid target set")
)

// Message keys for the platform catalogue; Problems and RunError carry their
// own zh/en text, so the keys only select the generic headline.
const (
	KeyConfigInvalid = "err.mujun_config_invalid"
	KeyRunInvalid    = "err.mujun_run_invalid"
)

// Problem is one configuration error.
type Problem struct {
	Path string `json:"path"` // JSON path, e.g. "groups[0].indicators[2].weight"
	Code string `json:"code"` // the sentinel's short name, e.g. "weight_sum"
	Zh   string `json:"message_zh"`
	En   string `json:"message_en"`
	Err  error  `json:"-"`
}

// newProblem makes a problem whose text is the catalogue's key with args.
func newProblem(path string, err error, key string, args ...any) Problem {
	t := msg(key, args...)
	return Problem{Path: path, Code: sentinelCode(err), Zh: t.Zh, En: t.En, Err: err}
}

// msg renders a catalogue key in both languages: every user-facing text of
// the engine lives in internal/i18n/mujun.*.json, none in Go.
func msg(key string, args ...any) Text {
	zh, en := i18n.Default().Pair(key, args...)
	return Text{Zh: zh, En: en}
}

func sentinelCode(err error) string {
	switch err {
	case ErrSyntax:
		return "syntax"
	case ErrMissing:
		return "missing"
	case ErrInvalidValue:
		return "invalid_value"
	case ErrUnknownCode:
		return "unknown_code"
	case ErrDuplicate:
		return "duplicate"
	case ErrWeightSum:
		return "weight_sum"
	case ErrShareSum:
		return "share_sum"
	case ErrClassOrder:
		return "class_order"
	case ErrTargets:
		return "targets"
	}
	return "invalid"
}

// ValidationError lists every problem of a configuration.
type ValidationError struct {
	ConfigID string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mujun: configuration %q has %d problem(s)", e.ConfigID, len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "; %s: %s", p.Path, p.En)
	}
	return b.String()
}

// Unwrap exposes each problem's sentinel for errors.Is and an apperr.Invalid
// so the HTTP layer maps it to a client error.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, 0, len(e.Problems)+1)
	out = append(out, apperr.New(apperr.Invalid, KeyConfigInvalid))
	for _, p := range e.Problems {
		out = append(out, p.Err)
	}
	return out
}

// RunError is a problem with the inputs of a run.
type RunError struct {
	Err          error // sentinel
	EnterpriseID int64 // 0 when not about one enterprise
	Group        Group
	Indicator    IndicatorCode
	Zh, En       string
}

func (e *RunError) Error() string { return "mujun: " + e.En }

// Unwrap returns the sentinel and an apperr.Invalid.
func (e *RunError) Unwrap() []error {
	return []error{e.Err, apperr.New(apperr.Invalid, KeyRunInvalid)}
}

// BenchmarkGap says why a benchmark that needs data cannot be computed.
// The refusal's catalogue key is KeyBenchmarkPrefix + the gap.
type BenchmarkGap string

// Benchmark gaps.
const (
	// GapNoPrior: no prior run with firms for the prior year in the unit.
	GapNoPrior BenchmarkGap = "no_prior"
	// GapPriorTooFew: the prior run has fewer firms with a value for the
	// indicator in the group than the configuration's minimum (0 when the
	// group or the values are absent).
	GapPriorTooFew BenchmarkGap = "prior_too_few"
	// GapCurrentTooFew: this year's evaluated set (min_max, current_mean)
	// has fewer firms with a value than the minimum.
	GapCurrentTooFew BenchmarkGap = "current_too_few"
	// GapZeroMean: the mean the benchmark rests on is 0 or negative, so no
	// value can be scored against it.
	GapZeroMean BenchmarkGap = "zero_mean"
)

// KeyBenchmarkPrefix starts the catalogue keys of benchmark refusals.
const KeyBenchmarkPrefix = "err.mujun_benchmark_"

// BenchmarkError refuses a run whose benchmark would not be well founded.
// Its message lives in the catalogue (KeyBenchmarkPrefix + Gap) and takes
// MessageArgs, so it reads in the user's language; Error is for logs.
type BenchmarkError struct {
	Gap        BenchmarkGap
	Group      Group
	GroupName  Text // the configuration's name of the group
	Indicator  IndicatorCode
	Method     BenchmarkMethod
	Year       int    // the year of the data that is missing or too thin
	Unit       string // evaluating unit: "city" or a region code
	PriorRunID int64  // the prior run that is too thin, when known
	Firms      int    // firms with a value found
	MinFirms   int    // firms with a value required
}

// Key is the refusal's catalogue key.
func (e *BenchmarkError) Key() string { return KeyBenchmarkPrefix + string(e.Gap) }

// MessageArgs are the catalogue arguments, in this order for every gap:
// indicator name, group name, year, unit name, prior run id, firms found,
// firms required, method name. The names are given in the reader's language
// by the caller (the engine has no catalogue).
func (e *BenchmarkError) MessageArgs(indicator, group, unit, method string) []any {
	return []any{indicator, group, e.Year, unit, e.PriorRunID, e.Firms, e.MinFirms, method}
}

func (e *BenchmarkError) Error() string {
	return fmt.Sprintf("mujun: benchmark of %s in %s (%s) cannot be computed: %s (year %d, unit %s, prior run %d, %d firms with a value, %d required)",
		e.Indicator, e.Group, e.Method, e.Gap, e.Year, e.Unit, e.PriorRunID, e.Firms, e.MinFirms)
}

// Unwrap returns ErrNoBenchmark and an apperr.Invalid with the refusal's
// key, so the HTTP layer answers 400.
func (e *BenchmarkError) Unwrap() []error {
	return []error{ErrNoBenchmark, apperr.New(apperr.Invalid, e.Key(), e.MessageArgs(string(e.Indicator), string(e.Group), e.Unit, string(e.Method))...)}
}

// Message renders the refusal in lang through a catalogue's T: the
// indicator and method by their catalogue names, the group by the
// configuration's name, the unit as unitName (the caller knows region
// names; "" for the city uses the catalogue's word for it).
func (e *BenchmarkError) Message(lang string, t func(lang, key string, args ...any) string, unitName string) string {
	if unitName == "" {
		unitName = t(lang, "mujun.unit.city")
	}
	group := e.GroupName.Zh
	if lang == "en" {
		group = e.GroupName.En
	}
	if group == "" {
		group = string(e.Group)
	}
	return t(lang, e.Key(), e.MessageArgs(t(lang, IndicatorKey(e.Indicator)), group, unitName, t(lang, "mujun.method."+string(e.Method)))...)
}

// IndicatorKey is the catalogue key of an indicator's name; + ".unit" and
// + ".formula" give its unit and formula.
func IndicatorKey(c IndicatorCode) string { return "mujun.indicator." + string(c) }
