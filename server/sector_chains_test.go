package server

import (
	"strings"
	"testing"
	"time"
)

// TestDemoChainScanPages: the demo's orchard, beef and rare-earth chains
// resolve on the scan page with their facts in Chinese and English — the
// apples' 承诺达标合格证 and origin, the sirloin's animal (ear tag, farm
// township, both certificates, slaughterhouse, date of slaughter), the
// oxide bag's quota, invoice and declaration — and the pesticide and
// veterinary-drug codes the farms used resolve to their products.
func TestDemoChainScanPages(t *testing.T) {
	env := newTestEnv(t, nil)
	slaughtered := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -2).Add(-2 * time.Hour).Format(time.DateOnly)
	for _, c := range []struct {
		url, lang string
		want      []string
	}{
		{env.url("Tianshui orchard apples"), "zh", []string{"承诺达标合格证", "已开具", "2000 kg", "甘肃省 天水市 麦积区 马跑泉镇 (620503101)", "天水花牛苹果专业合作社", "0938-2731166"}},
		{env.url("Tianshui orchard apples"), "en", []string{"commitment certificate", "issued", "马跑泉镇, Maiji District, Tianshui, Gansu (620503101)", "safe to harvest after"}},
		{env.url("Zhangye beef sirloin"), "zh", []string{"耳标号", "262070200001234", "张掖市甘州区上秦镇富民肉牛养殖场", "上秦镇", "动物检疫合格证明", "6207020004517",
			"肉品品质检验合格证", "GZ-RP-2026-00871", "张掖甘州牛羊肉加工有限公司", "屠宰日期", slaughtered}},
		{env.url("Zhangye beef sirloin"), "en", []string{"ear tag", "quarantine certificate", "meat inspection certificate", "slaughterhouse", "Ganzhou District, Zhangye, Gansu (620702101)"}},
		{env.url("PrNd oxide bag"), "zh", []string{"稀土产品目录名称", "氧化镨钕", "单一或分离氧化物", "开采指标", "甘-003", "最近月度流向报告"}},
		{env.url("PrNd oxide bag"), "en", []string{"catalogue name", "separated-oxide", "mining quota", "last monthly flow report"}},
		// The drug's item and lot are not registered with its profile: the
		// product record alone gives its facts.
		{env.url("drug with an NMPA trace code"), "zh", []string{"批准文号", "国药准字H62020001", "上市许可持有人", "处方药"}},
		{env.url("drug with an NMPA trace code"), "en", []string{"approval number", "国药准字H62020001", "marketing-authorisation holder"}},
	} {
		sep := "?"
		if strings.Contains(c.url, "?") {
			sep = "&"
		}
		r := env.get(c.url+sep+"lang="+c.lang, "Accept", "text/html")
		page := string(r.body)
		if r.status != 200 || !strings.Contains(page, `id="sector-facts"`) {
			t.Errorf("%s (%s): %d, no facts:\n%.3000s", c.url, c.lang, r.status, page)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s (%s): %q not on the page", c.url, c.lang, w)
			}
		}
	}
	// The special invoice and the customs declaration are business papers:
	// not on the public page.
	if page := string(env.get(env.url("PrNd oxide bag")+"?lang=en", "Accept", "text/html").body); strings.Contains(page, "special invoice") || strings.Contains(page, "62001234") {
		t.Error("the oxide bag's public page shows the special invoice")
	}
	// The national codes on the inputs resolve to their products, as GS1
	// codes do: genuine, with the product's name.
	for _, c := range []struct{ url, want string }{
		{env.url("the fungicide the orchard sprayed"), "10%苯醚甲环唑水分散粒剂"},
		{env.url("the veterinary drug the steer"), "1%伊维菌素注射液"},
	} {
		r := env.get(c.url, "Accept", "application/json")
		if r.status != 200 || !strings.Contains(string(r.body), `"status":"genuine"`) || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %.1500s", c.url, r.status, r.body)
		}
	}
	// The seed log says the certificate was refused inside the interval
	// and issued after it.
	log := strings.Join(env.info.Log, "\n")
	for _, w := range []string{"承诺达标合格证 refused", "inside the safety interval or withdrawal period", "承诺达标合格证 issued", "flow report filed, REO balance ok"} {
		if !strings.Contains(log, w) {
			t.Errorf("seed log lacks %q:\n%s", w, log)
		}
	}
}
