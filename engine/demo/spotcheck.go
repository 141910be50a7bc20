package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/model"
	"tracecode/engine/spotcheck"
)

// SpotSeed is the seed of the demo's spot-check draw, as the Lanzhou
// regulator would publish it before drawing.
const SpotSeed = "兰州市市场监管局 2026年第4季度双随机抽查 公开种子 7391"

// spotInspectors are the Lanzhou city regulator's inspectors (the
// inspector pool of its draws), created with the other demo accounts.
func spotInspectors() []account.NewOptions {
	var out []account.NewOptions
	for _, in := range []struct{ login, name string }{
		{"lz.insp.wang", "王建国(兰州市市场监管局执法人员)"},
		{"lz.insp.li", "李秀兰(兰州市市场监管局执法人员)"},
		{"lz.insp.zhao", "赵明(兰州市市场监管局执法人员)"},
		{"lz.insp.ma", "马志强(兰州市市场监管局执法人员)"},
	} {
		out = append(out, account.NewOptions{Login: in.login, Name: in.name, Role: account.RoleInspector, Region: 620100})
	}
	return out
}

// seedSpotChecks adds a check plan of the Lanzhou city regulator, its
// draw with SpotSeed and the results of its first inspections. It runs
// after the accounts (the draw needs the inspectors).
func seedSpotChecks(ctx context.Context, eng *engine.Engine) error {
	var super model.Org
	for _, o := range eng.Issuance().Orgs() {
		if o.Name == "兰州城关万家超市有限公司" {
			super = o
		}
	}
	if super.ID == 0 {
		return errors.New("demo: spot checks: the Lanzhou supermarket is missing")
	}
	reg := apikey.Key{Scopes: apikey.ScopeRegulator, Region: 620100, Name: "city"}
	pf := spotcheck.PlanFile{Name: "2026年第4季度兰州市食品生产经营者双随机抽查", Region: "620100",
		Items: []string{"营业执照和食品生产经营许可", "年度报告公示", "进货查验和追溯记录", "标签标识"},
		// The demo city has few organisations: half of the medium class is
		// drawn so that the draw has something to show.
		Ratios:      map[string]json.Number{"high": "100", "medium-high": "50", "medium": "50", "low": "50"},
		Conflicts:   []spotcheck.Conflict{{Inspector: "lz.insp.ma", Subject: spotcheck.SubjectKey(&super)}},
		PublishDays: 20}
	p, err := pf.Plan()
	if err != nil {
		return err
	}
	sc, err := eng.SpotChecks()
	if err != nil {
		return err
	}
	if p, err = sc.CreatePlan(reg, "city", p); err != nil {
		return err
	}
	d, _, err := sc.Draw(reg, "city", p.ID, SpotSeed)
	if err != nil {
		return err
	}
	notes := []struct {
		code spotcheck.Code
		note string
	}{
		{spotcheck.NoProblem, "许可证照齐全,进货查验记录完整,追溯码扫码可查。"},
		{spotcheck.NotDisclosed, "2025年度报告未在规定期限内公示,已责令限期补报。"},
	}
	for i, in := range d.Outcome.Inspections {
		if i >= len(notes) {
			break
		}
		_, err := sc.Record(ctx, reg, "city", spotcheck.Result{Draw: d.ID, N: uint32(in.N),
			Code: notes[i].code, Note: notes[i].note})
		if err != nil {
			return fmt.Errorf("spot-check result %d: %w", in.N, err)
		}
	}
	return nil
}
