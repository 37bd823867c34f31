package ssoweb

import _ "embed"

//go:embed help.md
var help []byte
