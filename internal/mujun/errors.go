package mujun

import (
	"errors"
	"fmt"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
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

func newProblem(path string, err error, zh, en string) Problem {
	return Problem{Path: path, Code: sentinelCode(err), Zh: zh, En: en, Err: err}
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
