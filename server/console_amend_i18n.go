package server

// consoleAmendText holds the product and lot pages' messages, merged into
// consoleText.
var consoleAmendText = map[string][2]string{
	"edit":          {"修改", "Edit"},
	"save":          {"保存修改", "Save the change"},
	"saved":         {"已保存，扫码页面即时显示新内容。", "Saved; the scan page shows the new values at once."},
	"description":   {"产品描述", "Description"},
	"images":        {"产品图片", "Images"},
	"imagesHint":    {"每行一个网址（https://…）", "one URL a line (https://…)"},
	"links":         {"链接", "Links"},
	"linksHint":     {"每行一个：类型 网址，如 gs1:pip https://…", "one a line: type URL, e.g. gs1:pip https://…"},
	"reason":        {"修改原因", "Reason for the change"},
	"reasonHint":    {"修改生产日期或有效期时必填：消费者扫码可见，按生产日期范围召回亦据此选批", "required when a date changes: consumers see the dates, and recalls by production window select lots by them"},
	"quantity":      {"数量", "Quantity"},
	"unit":          {"单位", "Unit"},
	"origin":        {"产地", "Origin"},
	"site":          {"生产场所", "Production site"},
	"trail":         {"修改记录", "Change history"},
	"changes":       {"变更内容", "Changes"},
	"fixedIDs":      {"GTIN、批号和所属企业不可修改。召回或暂停销售中的批次，其生产日期和有效期不可修改。", "The GTIN, the lot number and the organisation never change. A lot under recall or on hold keeps its production and expiry dates."},
	"readOnly":      {"只读：由所属企业修改，每次修改均留痕。", "Read-only: the owning enterprise changes it; every change is kept in the history."},
	"lotsOfProduct": {"本产品批次", "Lots of this product"},
	"nameZHf":       {"中文名称", "Chinese name"},
}

func init() {
	for k, v := range consoleAmendText {
		if _, ok := consoleText[k]; !ok {
			consoleText[k] = v
		}
	}
}
