package cli

import (
	"sync"

	"github.com/industrybrain/ibrain/internal/i18n"
)

// The CLI's texts come from the message catalogue
// (internal/i18n/cli.{zh-CN,en}.json, keys cli.*). Output without a --lang
// flag is zh-CN, whose texts keep the English glosses the commands have
// always printed (e.g. "上市后备库 reserve pool"); the en texts are the
// English alone.
var catalog = sync.OnceValue(func() *i18n.Catalog {
	c, err := i18n.Load()
	if err != nil {
		// The catalogue is compiled in and checked by internal/i18n's tests.
		panic(err)
	}
	return c
})

// msg returns the catalogue's text of key in lang, formatted with args.
func msg(lang, key string, args ...any) string { return catalog().T(lang, key, args...) }
