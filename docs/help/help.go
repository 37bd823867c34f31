// Package help embeds the user help pages (one Markdown file per module,
// zh-CN first, then English after a line holding only "---"), so the web
// UI serves them at /help/{module} from the same files a reader finds in
// the repository.
package help

import "embed"

// Files holds the help pages, named {module}.md.
//
//go:embed *.md
var Files embed.FS
