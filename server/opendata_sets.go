package server

import (
	"strconv"
	"strings"
	"time"

	"tracecode/engine/code/cn"
	"tracecode/engine/credit"
	"tracecode/engine/opendata"
	"tracecode/engine/stats"
)

// The open data sets (/open/): what each holds, its data dictionary and
// how its records are read from the engine. The engine decides what is
// public (the statistics' suppression, published results and listings);
// this file only lays it out.

// openColumn is one column of a data set's dictionary.
type openColumn struct {
	Name   string `json:"name"`
	Type   string `json:"type"` // string, integer, boolean, date (yyyy-mm-dd), month (yyyy-mm), date-time (RFC 3339), list (CSV: "; "-separated)
	ZH     string `json:"meaning_zh"`
	EN     string `json:"meaning_en"`
	Unit   string `json:"unit,omitempty"`
	Source string `json:"source"`
}

// openSet is one data set.
type openSet struct {
	Name    string       `json:"name"`
	TitleZH string       `json:"title_zh"`
	TitleEN string       `json:"title_en"`
	DescZH  string       `json:"description_zh"`
	DescEN  string       `json:"description_en"`
	Columns []openColumn `json:"columns"`
}

const (
	srcStats    = "engine/stats: counts kept as reports arrive (docs/stats.md), by the organisation's registered region"
	srcRegions  = "GB/T 2260 division codes and names (engine/code/cn)"
	srcRecalls  = "engine/recall: recalls in force (docs/recall.md)"
	srcSpot     = "engine/spotcheck: results recorded by regulators (docs/public.md, Spot checks)"
	srcCredit   = "engine/credit: published serious-violation entries (docs/public.md, Credit)"
	srcRegistry = "the organisation register"
)

var openSets = []openSet{
	{Name: "statistics", TitleZH: "追溯统计(按地区、品类、月份)", TitleEN: "Traceability statistics by region, category and month",
		DescZH: "各省、市、县(区)按产品品类和月份统计的赋码、发货、收货、销售、扫码等数量。少于3家企业或单家企业占比超过85%的单元格及可据以反推的单元格不予公布。",
		DescEN: "Counts of codes printed, shipped, received, sold, scanned and more, by province, city and county, product category and month. Cells with fewer than 3 enterprises or one enterprise above 85 %, and cells they could be recovered from, are suppressed.",
		Columns: []openColumn{
			{"month", "month", "统计月份", "Month counted", "", srcStats},
			{"region", "string", "行政区划代码(省、市、县级)", "Division code (province, city or county)", "", srcRegions},
			{"region_name", "string", "行政区划名称", "Division name, Chinese", "", srcRegions},
			{"region_name_en", "string", "行政区划英文名称", "Division name, English (Chinese where none)", "", srcRegions},
			{"level", "string", "层级:province、city、county", "Level: province, city or county", "", srcRegions},
			{"parent_region", "string", "上级行政区划代码(省级为空)", "Code of the division above (empty for a province)", "", srcRegions},
			{"category", "string", "产品品类(docs/categories.md)", "Product category (docs/categories.md)", "", "the product's registered category"},
			{"metric", "string", "统计指标:commissioned 赋码、shipped 发货、received 收货、sold 销售、dispensed 调配、inspected 检查、decommissioned 销毁注销、scans 公众扫码、recallsOpened 召回", "What is counted: commissioned, shipped, received, sold, dispensed, inspected, decommissioned (codes), scans (public scans), recallsOpened (recall records)", "", srcStats},
			{"value", "integer", "数量;不予公布时为空(JSON 为 null)", "The count; empty when suppressed (null in JSON)", "codes, scans or recall records, as the metric says", srcStats},
			{"suppressed", "string", "不予公布的原因:few-enterprises 企业少于阈值、dominance 单家企业占比过高、complementary 防止反推", "Why the value is withheld: few-enterprises, dominance, complementary (would reveal another cell); empty when published", "", "engine/opendata (docs/public.md, Open data)"},
		}},
	{Name: "recalls", TitleZH: "正在进行的产品召回", TitleEN: "Product recalls in force",
		DescZH: "正在进行的召回:级别、产品、生产者、批次、原因和处理方式。", DescEN: "Recalls in force: level, product, producer, lots, reason and what to do.",
		Columns: []openColumn{
			{"id", "integer", "召回编号", "Recall number", "", srcRecalls},
			{"level", "string", "召回级别", "Recall level", "", srcRecalls},
			{"product", "string", "产品名称", "Product name", "", srcRecalls},
			{"producer", "string", "生产者", "Producer", "", srcRegistry},
			{"lots", "list", "召回批次", "Lots recalled", "", srcRecalls},
			{"reason_zh", "string", "召回原因", "Reason, Chinese", "", srcRecalls},
			{"reason_en", "string", "召回原因(英文)", "Reason, English", "", srcRecalls},
			{"action_zh", "string", "处理方式", "What to do, Chinese", "", srcRecalls},
			{"action_en", "string", "处理方式(英文)", "What to do, English", "", srcRecalls},
			{"ordered", "boolean", "是否监管部门责令召回", "Ordered by a regulator", "", srcRecalls},
			{"since", "date-time", "发布时间", "Published at", "", srcRecalls},
		}},
	{Name: "spotchecks", TitleZH: "双随机抽查结果", TitleEN: "Random spot-check results",
		DescZH: "监管部门公示的双随机抽查结果。", DescEN: "The results of random spot checks regulators have published.",
		Columns: []openColumn{
			{"draw", "integer", "抽取编号", "Draw number", "", srcSpot},
			{"inspection", "integer", "抽取内序号", "Inspection number within the draw", "", srcSpot},
			{"plan", "string", "抽查任务", "Check plan", "", srcSpot},
			{"items", "list", "检查事项", "What was checked", "", srcSpot},
			{"region", "string", "实施机关辖区代码", "Division code of the regulator", "", srcRegions},
			{"uscc", "string", "统一社会信用代码", "Unified social credit code", "", srcRegistry},
			{"enterprise", "string", "检查对象", "Business inspected", "", srcRegistry},
			{"result", "string", "结果代码", "Result code", "", srcSpot},
			{"result_zh", "string", "检查结果", "Result, Chinese", "", srcSpot},
			{"result_en", "string", "检查结果(英文)", "Result, English", "", srcSpot},
			{"note", "string", "说明", "Note", "", srcSpot},
			{"lots", "list", "抽检批次", "Lots sampled", "", srcSpot},
			{"published", "date", "公示日期", "Published on", "", srcSpot},
		}},
	{Name: "blacklist", TitleZH: "严重违法失信名单", TitleEN: "Serious violation list (blacklist)",
		DescZH: "目前列入严重违法失信名单的企业。", DescEN: "The enterprises on the serious violation list now.",
		Columns: []openColumn{
			{"entry", "integer", "信用记录编号", "Credit entry number", "", srcCredit},
			{"uscc", "string", "统一社会信用代码", "Unified social credit code", "", srcRegistry},
			{"enterprise", "string", "企业名称", "Enterprise name", "", srcRegistry},
			{"enterprise_en", "string", "企业英文名称", "Enterprise name, English", "", srcRegistry},
			{"document", "string", "决定文书", "Decision document", "", srcCredit},
			{"reason_zh", "string", "事由", "Reason, Chinese", "", srcCredit},
			{"reason_en", "string", "事由(英文)", "Reason, English", "", srcCredit},
			{"since", "date", "列入日期", "Listed on", "", srcCredit},
			{"until", "date", "公示截止", "Published until", "", srcCredit},
		}},
}

func openSetNamed(name string) *openSet {
	for i := range openSets {
		if openSets[i].Name == name {
			return &openSets[i]
		}
	}
	return nil
}

// openRecords are a data set's records, one value per column in column
// order: string, uint64, bool, []string, or nil (suppressed).
type openRecords [][]any

// statisticsRecords lays out the statistics table.
func statisticsRecords(t *opendata.Table) openRecords {
	out := make(openRecords, 0, len(t.Rows))
	for _, r := range t.Rows {
		var v any = r.Value
		if r.Reason != opendata.Shown {
			v = nil
		}
		parent := ""
		if !r.Parent.IsZero() {
			parent = r.Parent.String()
		}
		zh, _ := r.Region.Name(cn.Chinese)
		en, ok := r.Region.Name(cn.English)
		if !ok {
			en = zh
		}
		out = append(out, []any{stats.FormatDay(r.Month)[:7], r.Region.String(), zh, en, r.Region.Level().String(), parent,
			r.Category.String(), r.Metric.String(), v, r.Reason.String()})
	}
	return out
}

func (s *Server) recallRecords() (openRecords, error) {
	vs, err := s.notices().PublicRecalls()
	if err != nil {
		return nil, err
	}
	out := openRecords{}
	for _, v := range vs {
		out = append(out, []any{v.ID, v.Level.String(), v.Product, v.ProducerName, nonNil(v.LotNumbers), v.ReasonZH, v.ReasonEN,
			v.ActionZH, v.ActionEN, v.Ordered, time.UnixMilli(v.Created).In(s.eng.Location()).Format(time.RFC3339)})
	}
	return out, nil
}

func (s *Server) spotRecords() (openRecords, error) {
	sc, err := s.eng.SpotChecks()
	if err != nil {
		return nil, err
	}
	rs, err := sc.PublicResults(0)
	if err != nil {
		return nil, err
	}
	out := openRecords{}
	for _, r := range rs {
		out = append(out, []any{r.Draw, uint64(r.N), r.Plan, nonNil(r.Items), strconv.FormatUint(uint64(r.Region), 10), r.Subject, r.Name,
			r.Code.String(), r.Code.Text("zh"), r.Code.Text("en"), r.Note, nonNil(r.Lots),
			time.UnixMilli(r.Recorded).In(s.eng.Location()).Format(time.DateOnly)})
	}
	return out, nil
}

func (s *Server) blacklistRecords() (openRecords, error) {
	co, err := s.eng.Credit()
	if err != nil {
		return nil, err
	}
	ls := co.Listed()
	day := func(ms int64) string { return time.UnixMilli(ms).In(s.eng.Location()).Format(time.DateOnly) }
	out := openRecords{}
	for _, l := range ls {
		if l.Kind != credit.SeriousViolation {
			continue
		}
		out = append(out, []any{l.Seq, l.USCC, l.Name, l.NameEN, l.Doc, l.SummaryZH, l.SummaryEN, day(l.PublishFrom), day(l.Expiry)})
	}
	return out, nil
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// csvField writes one value as CSV text.
func csvField(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case uint64:
		return strconv.FormatUint(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []string:
		return strings.Join(x, "; ")
	}
	panic("BUG: open data value of an unknown type")
}
