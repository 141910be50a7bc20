// Package demo seeds a store with the demo data set that `tracecode serve
// --demo` (and `make run`) shows, set in Gansu: producers in Lanzhou
// (兰州), Tianshui (天水), Zhangye (张掖) and Dingxi (定西) registered
// down to their townships, the distributor, supermarket chain and pharmacy
// their goods pass through, products in the categories of the
// traceability regulations (a drug with NMPA codes, infant formula, pork
// cut from a pig lot, a pesticide, a gas cylinder with fillings and
// inspections, a fireworks case, a rare-earth oxide) and of Gansu's own
// industries (Tianshui apples, Dingxi potatoes, Zhangye beef and lamb),
// minted and printed blocks, packing, shipping, receiving, selling and
// dispensing events over about six months (so that the statistics have
// shape), one recalled lot, and API keys for the producers and for
// regulators of the province, a city, a county and a township station.
//
// Seed runs only on an empty store. The keys' tokens are written to
// demo-keys.json in the data directory (mode 0600) so that a restart can
// print them again: tokens are otherwise stored only as hashes.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tracecode/engine"
	"tracecode/engine/apikey"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// Info is what the demo tells a person: keys to use and URLs to open.
type Info struct {
	// Keys are the API keys, the first being the demo key of the
	// Lanzhou producer (mint, report, events, admin).
	Keys []Key `json:"keys"`
	// URLs are scan URLs worth opening, each with what it shows.
	URLs []URL `json:"urls"`
	// Blocks are the ids of the minted blocks.
	Blocks []uint64 `json:"blocks"`
	// Log says what the seed did that a person should know: the writes
	// it expected to be refused and why (a commitment certificate inside
	// a safety interval), and what it issued after.
	Log []string `json:"log,omitempty"`
}

// Key is a demo API key.
type Key struct {
	Name  string `json:"name"`
	Token string `json:"token"`
}

// URL is a demo scan URL.
type URL struct {
	What string `json:"what"`
	URL  string `json:"url"`
}

// FileName is the file in the data directory that keeps the demo's Info.
const FileName = "demo-keys.json"

// Load reads the Info a previous Seed saved in dir; ok is false if there
// is none.
func Load(dir string) (Info, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, false, nil
	}
	if err != nil {
		return Info{}, false, err
	}
	var in Info
	if err := json.Unmarshal(b, &in); err != nil {
		return Info{}, false, fmt.Errorf("demo: %s: %w", FileName, err)
	}
	return in, true, nil
}

// Empty reports whether the store holds no organisation yet.
func Empty(eng *engine.Engine) bool { return len(eng.Issuance().Orgs()) == 0 }

// seeder carries the state of one Seed run.
type seeder struct {
	eng  *engine.Engine
	keys *apikey.Keys
	base string
	info Info
	now  time.Time
	orgA model.Org // Lanzhou: food, farm, fireworks
	orgB model.Org // Tianshui: drug, pesticide, gas cylinder, rare earth
	orgC model.Org // a Lanzhou cold-chain distributor
	orgD model.Org // a Lanzhou supermarket chain
	orgE model.Org // a Tianshui pharmacy
	orgF model.Org // Tianshui apple growers
	orgG model.Org // Dingxi potatoes
	orgH model.Org // Zhangye beef and lamb
	prod map[string]model.Product
	lots map[string]model.Lot
	blk  map[string]model.Block
	tokA string
	tokB string
	sscc string // the drug pallet's SSCC, 18 digits
}

// Seed fills an empty store with the demo data set, saves Info to dir and
// returns it. base is the public base URL scan URLs are printed on.
func Seed(ctx context.Context, eng *engine.Engine, keys *apikey.Keys, dir, base string) (Info, error) {
	if !Empty(eng) {
		return Info{}, errors.New("demo: the store is not empty; the demo seeds only an empty data directory")
	}
	s := &seeder{eng: eng, keys: keys, base: strings.TrimRight(base, "/"), now: time.Now(),
		prod: map[string]model.Product{}, lots: map[string]model.Lot{}, blk: map[string]model.Block{}}
	ssccBody := "0" + "6909876" + "000000001"
	cd, err := gs1.CheckDigit(ssccBody)
	if err != nil {
		return Info{}, fmt.Errorf("demo: SSCC: %w", err)
	}
	s.sscc = ssccBody + string(cd)
	steps := []func(context.Context) error{s.orgs, s.products, s.mint, s.apiKeys, s.reports, s.urls, s.sector, s.dangerous, s.orchard, s.meat, s.rareEarth, s.duties, s.seedCos}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return Info{}, fmt.Errorf("demo: %w", err)
		}
	}
	b, _ := json.MarshalIndent(s.info, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, FileName), append(b, '\n'), 0o600); err != nil {
		return Info{}, fmt.Errorf("demo: %w", err)
	}
	return s.info, nil
}

// orgDef is a demo organisation: its registered address region (a
// township wherever the demo has one) and its company prefix.
type orgDef struct {
	org          *model.Org
	name, nameEN string
	region, gcp  string
	uscc         string // unified social credit code (the credit ledger's key)
}

func (s *seeder) orgs(ctx context.Context) error {
	for _, d := range []orgDef{
		{&s.orgA, "兰州陇原乳业食品有限公司", "Lanzhou Longyuan Dairy & Foods Co., Ltd.", "620102001", "6901234", "91620102MA71LY016E"},    // 城关区 酒泉路街道
		{&s.orgB, "天水麦积医药化工有限公司", "Tianshui Maiji Pharma & Chemicals Co., Ltd.", "620503001", "6909876", "91620503MA72MJ02XD"}, // 麦积区 道北街道
		// The hands the goods pass through: custody moves to them by
		// shipping (destinationList) and their receiving.
		{&s.orgC, "兰州七里河冷链物流有限公司", "Lanzhou Qilihe Cold-Chain Logistics Co., Ltd.", "620103001", "6923456", "91620103MA71QL034F"},  // 七里河区 西园街道
		{&s.orgD, "兰州城关万家超市有限公司", "Lanzhou Chengguan Wanjia Supermarkets Co., Ltd.", "620102002", "6934567", "91620102MA71WJ04X0"}, // 城关区 张掖路街道
		{&s.orgE, "天水秦州仁心大药房有限公司", "Tianshui Qinzhou Renxin Pharmacy Co., Ltd.", "620502001", "6945678", "91620502MA72RX05XG"},     // 秦州区 大城街道
		// Gansu's own industries.
		{&s.orgF, "天水花牛苹果专业合作社", "Tianshui Huaniu Apple Growers' Cooperative", "620503002", "6956001", "91620503MA72HN0668"},         // 麦积区 北道埠街道
		{&s.orgG, "定西安定马铃薯产业有限公司", "Dingxi Anding Potato Industry Co., Ltd.", "621102001", "6956002", "91621102MA73AD07X5"},          // 安定区 中华路街道
		{&s.orgH, "张掖甘州牛羊肉加工有限公司", "Zhangye Ganzhou Beef & Lamb Processing Co., Ltd.", "620702001", "6956003", "91620702MA74GJ088W"}, // 甘州区 东街街道
	} {
		o, err := s.eng.Issuance().AddOrg(ctx, issue.OrgSpec{Name: d.name, NameEN: d.nameEN, USCC: d.uscc, Region: d.region, GCPs: []string{d.gcp}})
		if err != nil {
			return fmt.Errorf("organisation %s: %w", d.name, err)
		}
		*d.org = o
	}
	return nil
}

// gtin builds a GTIN-14 from a 7-digit company prefix and a 5-digit item
// reference, with its check digit.
func gtin(gcp, item string) string {
	body := "0" + gcp + item
	cd, err := gs1.CheckDigit(body)
	if err != nil {
		panic("BUG: demo GTIN " + body + ": " + err.Error())
	}
	return body + string(cd)
}

// levelGTINs returns the GTINs of the packaging levels above a product's
// lowest that GS1 gives their own (GTIN item's case: the item GTIN with
// indicator digit 1, its inner pack: with 2).
func levelGTINs(item string, ls model.LevelSet) map[model.Level]string {
	p := model.Product{Levels: ls}
	out := map[model.Level]string{}
	for l, ind := range map[model.Level]byte{model.LevelInner: '2', model.LevelCase: '1'} {
		if ls.Has(l) && p.NeedsLevelGTIN(l) {
			body := string(ind) + item[1:13]
			cd, err := gs1.CheckDigit(body)
			if err != nil {
				panic("BUG: demo level GTIN " + body + ": " + err.Error())
			}
			out[l] = body + string(cd)
		}
	}
	return out
}

type productDef struct {
	key      string
	org      *model.Org
	gtin     string
	drugID   string
	nameZH   string
	nameEN   string
	category string
	levels   []string
	scheme   string
	links    []model.Link
}

func (s *seeder) products(context.Context) error {
	defs := []productDef{
		{"formula", &s.orgA, gtin("6901234", "00011"), "", "陇原婴幼儿配方奶粉 1段 900克", "Longyuan infant formula stage 1, 900 g", "food",
			[]string{"item", "case", "pallet"}, "gs1", []model.Link{{Type: "gs1:pip", URL: "https://www.example.com/longyuan/formula-1"}}},
		{"pig", &s.orgA, gtin("6901234", "00028"), "", "生猪（出栏批次）", "Live pigs (batch)", "farm", []string{"item"}, "gs1", nil},
		{"pork", &s.orgA, gtin("6901234", "00035"), "", "冷鲜猪里脊 500克", "Chilled pork loin, 500 g", "farm", []string{"item", "case"}, "gs1", nil},
		{"fireworks", &s.orgA, gtin("6901234", "00042"), "", "组合烟花 36发", "Fireworks cake, 36 shots", "fireworks", []string{"case"}, "gs1", nil},
		{"drug", &s.orgB, gtin("6909876", "00013"), "8612345", "阿莫西林胶囊 0.25g×24粒", "Amoxicillin capsules 0.25 g × 24", "drug",
			[]string{"item", "case"}, "nmpa", nil},
		{"pesticide", &s.orgB, gtin("6909876", "00020"), "", "70%吡虫啉水分散粒剂 100克", "Imidacloprid 70% WG, 100 g", "pesticide", []string{"item", "case"}, "gs1", nil},
		{"cylinder", &s.orgB, gtin("6909876", "00037"), "", "液化石油气钢瓶 YSP35.5", "LPG cylinder YSP35.5", "gas-cylinder", []string{"item"}, "gs1", nil},
		{"oxide", &s.orgB, gtin("6909876", "00044"), "", "氧化镨钕 (PrNd)₂O₃ 25千克袋", "Praseodymium-neodymium oxide, 25 kg bag", "rare-earth", []string{"item"}, "gs1", nil},
		{"apples", &s.orgF, gtin("6956001", "00017"), "", "天水花牛苹果 5千克箱", "Tianshui Huaniu apples, 5 kg box", "farm", []string{"case"}, "gs1", nil},
		{"potatoes", &s.orgG, gtin("6956002", "00016"), "", "定西马铃薯 10千克袋", "Dingxi potatoes, 10 kg bag", "farm", []string{"item"}, "gs1", nil},
		{"lamb", &s.orgH, gtin("6956003", "00015"), "", "张掖冷鲜羊肉 1千克", "Zhangye chilled lamb, 1 kg", "farm", []string{"item", "case"}, "gs1", nil},
		{"beef", &s.orgH, gtin("6956003", "00022"), "", "张掖冷鲜牛肉 1千克", "Zhangye chilled beef, 1 kg", "farm", []string{"item"}, "gs1", nil},
	}
	for _, d := range defs {
		cat, err := model.ParseCategory(d.category)
		if err != nil {
			return err
		}
		spec := issue.ProductSpec{Org: d.org.ID, GTIN: d.gtin, GCPLength: 7, DrugID: d.drugID, NameZH: d.nameZH, NameEN: d.nameEN,
			Category: cat, Links: d.links}
		for _, l := range d.levels {
			lv, err := model.ParseLevel(l)
			if err != nil {
				return err
			}
			spec.Levels = spec.Levels.With(lv)
		}
		spec.LevelGTINs = levelGTINs(d.gtin, spec.Levels)
		if spec.DefaultScheme, err = serial.ParseScheme(d.scheme); err != nil {
			return err
		}
		p, err := s.eng.Issuance().AddProduct(context.Background(), spec)
		if err != nil {
			return fmt.Errorf("product %s: %w", d.key, err)
		}
		s.prod[d.key] = p
	}
	return nil
}

// day returns the date d days from now as yyyymmdd (negative: past).
func (s *seeder) day(d int) uint32 {
	t := s.now.AddDate(0, 0, d)
	return uint32(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

type lotDef struct {
	key, product, number, site string
	produced, expiry           int
}

type mintDef struct {
	key, lot, level string
	count           uint64
	scheme          string // "" = the product's default
}

func (s *seeder) mint(ctx context.Context) error {
	lots := []lotDef{
		{"formula-ok", "formula", "F" + fmt.Sprint(s.day(-40)), "兰州市城关区陇原乳品厂", -40, 500},
		{"formula-recalled", "formula", "F" + fmt.Sprint(s.day(-70)), "兰州市城关区陇原乳品厂", -70, 470},
		{"pig", "pig", "PIG" + fmt.Sprint(s.day(-3)), "兰州市榆中县生猪养殖场", -3, 0},
		{"pork", "pork", "P" + fmt.Sprint(s.day(-2)), "兰州市屠宰加工厂", -2, 5},
		{"fireworks", "fireworks", "FW" + fmt.Sprint(s.day(-30)), "皋兰分厂", -30, 700},
		{"drug", "drug", "A" + fmt.Sprint(s.day(-60))[2:], "天水市麦积区制药厂", -60, 670},
		{"pesticide", "pesticide", "I" + fmt.Sprint(s.day(-20)), "天水市麦积区农药厂", -20, 710},
		{"cylinder", "cylinder", "C" + fmt.Sprint(s.day(-400)), "天水市钢瓶制造厂", -400, 0},
		{"oxide", "oxide", "RE" + fmt.Sprint(s.day(-15)), "白银市稀土分离厂", -15, 0},
	}
	lots = append(lots, s.historyLots()...)
	for _, l := range lots {
		spec := issue.LotSpec{Product: s.prod[l.product].ID, Number: l.number, Produced: s.day(l.produced), Site: l.site}
		if l.expiry != 0 {
			spec.Expiry = s.day(l.expiry)
		}
		lot, err := s.eng.Issuance().AddLot(ctx, spec)
		if err != nil {
			return fmt.Errorf("lot %s: %w", l.key, err)
		}
		s.lots[l.key] = lot
	}
	mints := []mintDef{
		{"formula-ok", "formula-ok", "item", 20000, ""},
		{"formula-ok-case", "formula-ok", "case", 1000, ""},
		{"formula-ok-pallet", "formula-ok", "pallet", 20, ""},
		{"formula-recalled", "formula-recalled", "item", 2000, ""},
		{"formula-recalled-case", "formula-recalled", "case", 100, ""},
		{"pig", "pig", "item", 40, ""},
		{"pork", "pork", "item", 500, ""},
		{"pork-case", "pork", "case", 50, ""},
		{"fireworks", "fireworks", "case", 200, ""},
		{"drug", "drug", "item", 2400, ""},
		{"drug-case", "drug", "case", 100, ""},
		{"pesticide", "pesticide", "item", 1000, ""},
		{"pesticide-short", "pesticide", "item", 100, "short"},
		{"cylinder", "cylinder", "item", 50, ""},
		{"oxide", "oxide", "item", 100, ""},
	}
	mints = append(mints, s.historyMints()...)
	for _, m := range mints {
		lot := s.lots[m.lot]
		lv, err := model.ParseLevel(m.level)
		if err != nil {
			return err
		}
		req := issue.MintRequest{Product: lot.Product, Lot: lot.Number, Level: lv, Count: m.count, RequestID: "demo-" + m.key}
		if m.scheme != "" {
			if req.Scheme, err = serial.ParseScheme(m.scheme); err != nil {
				return err
			}
		}
		res, err := s.eng.Issuance().Mint(ctx, req)
		if err != nil {
			return fmt.Errorf("mint %s: %w", m.key, err)
		}
		s.blk[m.key] = res.Block
		s.info.Blocks = append(s.info.Blocks, res.Block.ID)
	}
	return nil
}

func (s *seeder) apiKeys(context.Context) error {
	all := apikey.ScopeMint | apikey.ScopeReport | apikey.ScopeEvents | apikey.ScopeAdmin
	for _, k := range []struct {
		name string
		o    apikey.Options
		tok  *string
	}{
		{"兰州陇原乳业 (Lanzhou; mint, report, events, admin)", apikey.Options{Org: s.orgA.ID, Scopes: all, Name: "demo Lanzhou"}, &s.tokA},
		{"天水麦积医药化工 (Tianshui; mint, report, events, admin)", apikey.Options{Org: s.orgB.ID, Scopes: all, Name: "demo Tianshui"}, &s.tokB},
		{"兰州市市场监管局 (regulator, city of Lanzhou 620100)", apikey.Options{Scopes: apikey.ScopeRegulator, Region: 620100, Name: "demo regulator Lanzhou"}, nil},
		{"甘肃省市场监管局 (regulator, province of Gansu 620000)", apikey.Options{Scopes: apikey.ScopeRegulator, Region: 620000, Name: "demo regulator Gansu"}, nil},
		{"城关区市场监管局 (regulator, county-level Chengguan District 620102)", apikey.Options{Scopes: apikey.ScopeRegulator, Region: 620102, Name: "demo regulator Chengguan"}, nil},
		{"酒泉路街道市场监管所 (regulator, township station 620102001)", apikey.Options{Scopes: apikey.ScopeRegulator, Region: 620102001, Name: "demo station Jiuquanlu"}, nil},
		{"operator (admin of everything)", apikey.Options{Scopes: apikey.ScopeAdmin, Name: "demo operator"}, nil},
	} {
		tok, _, err := s.keys.Create(k.o)
		if err != nil {
			return err
		}
		if k.tok != nil {
			*k.tok = tok
		}
		s.info.Keys = append(s.info.Keys, Key{Name: k.name, Token: tok})
	}
	return nil
}

// code returns the first code of a block at offset off in format f.
func (s *seeder) code(block, f string, off uint64) (string, error) {
	fm, err := issue.ParseFormat(f)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := s.eng.Issuance().WriteCodes(context.Background(), &buf, s.blk[block].ID, issue.StreamOptions{
		Format: fm, Offset: off, Limit: 1, DLBase: s.base, ShortBase: s.base}); err != nil {
		return "", fmt.Errorf("code %d of %s: %w", off, block, err)
	}
	return strings.TrimSpace(buf.String()), nil
}

func (s *seeder) urls(context.Context) error {
	add := func(what, u string) { s.info.URLs = append(s.info.URLs, URL{What: what, URL: u}) }
	shelf, err := s.code("formula-ok", "dl", 1)
	if err != nil {
		return err
	}
	add("infant formula on a shop shelf (genuine)", shelf)
	for _, u := range []struct{ what, block, format string }{
		{"infant formula, shipped and sold", "formula-ok", "dl"},
		{"infant formula from the recalled lot", "formula-recalled", "dl"},
		{"a pallet of infant formula, by the SSCC it was minted with", "formula-ok-pallet", "dl"},
		{"chilled pork cut from a pig lot", "pork", "dl"},
		{"fireworks case", "fireworks", "dl"},
		{"pesticide", "pesticide", "dl"},
		{"gas cylinder with fillings and inspections", "cylinder", "dl"},
		{"rare-earth oxide bag", "oxide", "dl"},
		{"Tianshui apples, shipped and sold", "apples", "dl"},
		{"Dingxi potatoes, shipped and received", "potatoes", "dl"},
		{"Zhangye lamb, shipped and received", "lamb", "dl"},
	} {
		c, err := s.code(u.block, u.format, 0)
		if err != nil {
			return err
		}
		add(u.what, c)
	}
	nmpa, err := s.code("drug", "nmpa", 0)
	if err != nil {
		return err
	}
	add("drug with an NMPA trace code, dispensed at a pharmacy", s.base+"/resolve?code="+nmpa)
	short, err := s.code("pesticide-short", "short", 0)
	if err != nil {
		return err
	}
	add("pesticide with a short-code label", short)
	add("a pallet of the drug, by its SSCC", s.base+"/00/"+s.sscc)
	add("a code never issued (a fake label)", s.base+"/01/"+s.prod["formula"].GTIN.String()+"/21/FAKE123456789")
	add("infant formula product page (GTIN level)", s.base+"/01/"+s.prod["formula"].GTIN.String())
	add("GS1 resolver description", s.base+"/.well-known/gs1resolver")
	add("home page: type or paste any code", s.base+"/")
	return nil
}
