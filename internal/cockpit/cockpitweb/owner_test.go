package cockpitweb_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// Every task-table row on /targets and the 数读 panel shows where its
// value comes from and who owns it; a row without data names the
// department that owes it (issue 7).
func TestTargetsShowOwner(t *testing.T) {
	env := webtest.SQLite(t)
	if err := env.Store.PutTargets(context.Background(), []target.Target{
		{IndicatorCode: "MFG_VA_GDP_SHARE", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 26, Source: "test city"},
	}); err != nil {
		t.Fatal(err)
	}
	env.Run(t, []webtest.Scenario{
		{Name: "Targets", URL: "/targets?year=2024", User: "admin", WantStatus: http.StatusOK,
			WantContains: []string{"暂无数据 · 待市统计局报送", "企业数据计算 · 市经信委运行监测处"}},
		{Name: "TargetsEnglish", URL: "/targets?year=2024&lang=en", User: "admin", WantStatus: http.StatusOK,
			WantContains: []string{"no data · owed by 市统计局", "computed from enterprise data · 市经信委运行监测处"}},
		{Name: "Scoreboard", URL: "/scoreboard?year=2023", User: "admin", WantStatus: http.StatusOK,
			WantContains: []string{`class="meta owed">暂无数据 · 待市统计局报送`, `class="meta source">企业数据计算 · 市经信委运行监测处`}},
	})
}
