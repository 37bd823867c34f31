// Package rules is the rule engine for versioned title policies: it judges
// an enterprise Profile against the criteria of a rule set and explains the
// result in zh-CN and en, with what-if changes for what is not met and
// reminders for titles held.
//
// # Rule sets are data
//
// Each policy family is one embedded JSON file under rulesets/. A rule set
// has an identity (id, policy, title_kind, version, jurisdiction,
// effective_from/effective_to inclusive, kinds new/review, source document,
// note with the confidence of its thresholds) and a criteria tree of
// all_of, any_of (direct routes), banded (requirements chosen by a band of
// one metric), score (scorecards: tier tables, category sub-minimums, a
// total minimum and a local-points block), condition (metric, op min/max,
// threshold, inclusive — the boundary rule is always stated in the data)
// and manual leaves (a question for a reviewer). A node may be limited to
// one application kind. Metrics are named Go computations over the Profile
// (metrics.go). Loading compiles every rule set, once per kind, into a flat
// tree; evaluation runs no JSON and no reflection, and EvaluateInto reuses
// the result's memory.
//
// # Built-in versions (from the domain reference, domain.md §2 and §5)
//
//	miit2022_innovative_sme            创新型中小企业, 工信部企业〔2022〕63号 附件1, 2022-08-01…2026-03-31 ✅
//	miit2022_specialized_sme           专精特新中小企业, 附件2, with Chongqing's 15 local points as configuration (CN-CQ) ✅/⚪
//	miit2022_little_giant              专精特新“小巨人”, 附件3, six dimensions and revenue-banded R&D ✅/🟡
//	miit2022_little_giant_review_2026  2026 小巨人 re-reviews still under the 2022 criteria (工信厅企业函〔2026〕117号) 🟡
//	miit2026_tech_innovative_sme       tier 1 科技和创新型 from 2026-04-01: the 2022 附件1 standard (Art. 30) or the 科技型 method 🟡/⚪
//	miit2026_innovative_sme_review     re-review of 2022 创新型 titles against the tier-1 standard (assumption) 🟡
//	miit2026_specialized_sme           专精特新中小企业, 工信部企业〔2026〕2号 附件1 🟡
//	miit2026_little_giant(_review)     小巨人 2026 附件2; the review variant from 2027 (assumption) 🟡
//	champion2023_single_champion       制造业单项冠军, 工信部政法〔2023〕138号 🟡
//	cq2023_unicorn, cq2023_potential_unicorn, cq2023_gazelle
//	                                   重庆市独角兽、瞪羚企业培育工作方案（2023—2027年） ✅ (⚪ unlisted, gazelle age)
//
// Rule sets with a subject judge something other than an enterprise title:
// cq_digital_ladder.json (subject digital_ladder) holds the rungs of the
// digital-transformation ladder (digital workshop, smart factory, 卓越级,
// 领航级, future factory), read by internal/digital over the profile facts
// cmmm_level, nc_rate_bp and the recognitions as titles (titles_held).
// Registry.InForce, what title screenings run, leaves them out.
//
// ✅ confirmed in a source, 🟡 secondary source, ⚪ unverified: every rule
// and threshold carries its mark in the JSON note field. The 2026 rules and
// the ⚪ tiers of the 2022 专精特新 scorecard must be checked against the
// official texts; they are data so that a correction is a JSON edit.
//
// # Semantics
//
// Missing data is never a pass: a condition whose inputs are missing is
// unknown. all_of is not met if any child is not met, else unknown if any
// is unknown, else manual_review if any needs review; any_of is met if any
// child is met, then unknown, then manual_review. Scorecards are intervals:
// an unknown indicator lies between its floor and its maximum, so a card is
// met only if it passes at the floor and not met only if it fails at the
// top. Values are integers in base units (fen, US cents, basis points,
// 0.01 year, 0.01 point) with an exact fraction flag, so every comparison
// with a threshold is exact. Tier tables default to lower-bound-inclusive
// ranges; Options.TierBoundary switches to the higher-tier practice.
//
// Registry.Select chooses by title, application kind and assessment date;
// overlapping periods for the same title, kind and jurisdiction fail the
// load. Chongqing rule sets win over national ones for the same title.
package rules
