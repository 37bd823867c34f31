package cli

import "testing"

// TestAnswerCacheFlag: --answer-cache 0 turns the cache off (the web
// server's negative MaxBytes), any other size is MiB.
func TestAnswerCacheFlag(t *testing.T) {
	for _, c := range []struct {
		mib  int
		want int64
	}{{0, -1}, {-3, -1}, {1, 1 << 20}, {32, 32 << 20}} {
		got := answerCacheOptions(c.mib).MaxBytes
		if (c.want < 0 && got >= 0) || (c.want >= 0 && got != c.want) {
			t.Errorf("--answer-cache %d: MaxBytes %d, want %d", c.mib, got, c.want)
		}
	}
}
