// Package apperr defines the platform's typed errors. Domain and storage
// code return them; the HTTP layer maps Code to a status in one place and
// renders Key through the message catalogue in the user's language.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers and for HTTP status mapping.
type Code string

// Error codes.
const (
	NotFound     Code = "not_found"
	Invalid      Code = "invalid"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	TooLarge     Code = "too_large"
	Internal     Code = "internal"
	// Unavailable: a service this one depends on (a federation peer) did
	// not answer; the request changed nothing and may be retried later.
	Unavailable Code = "unavailable"
)

// Error is an application error with a user-facing message key.
type Error struct {
	Code Code
	Key  string // message catalogue key, e.g. "err.enterprise_not_found"
	Args []any
	Err  error // cause, for logs; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%s): %v", e.Key, e.Code, e.Err)
	}
	return fmt.Sprintf("%s (%s)", e.Key, e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Wrap attaches a cause to a new error.
func Wrap(err error, code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
