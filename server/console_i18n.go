package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"tracecode/engine/code/cn"
)

// consoleText holds the console's messages: key → [zh, en].
var consoleText = map[string][2]string{
	"title":                {"产品追溯监管平台", "Product Traceability Console"},
	"login":                {"登录", "Log in"},
	"logout":               {"退出", "Log out"},
	"loginName":            {"用户名", "Login name"},
	"password":             {"密码", "Password"},
	"otp":                  {"动态口令（如已启用）", "One-time password (if enabled)"},
	"loginFailed":          {"用户名、密码或动态口令错误，或账户已锁定、停用。", "Wrong login name, password or one-time password, or the account is locked or disabled."},
	"loginRate":            {"本地址登录尝试过多，请一分钟后再试。", "Too many login attempts from this address; try again in a minute."},
	"csrf":                 {"表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。", "The form expired or did not come from this site (CSRF check failed); reload the page and try again."},
	"notFound":             {"页面不存在或无权查看。", "No such page, or not visible to this account."},
	"forbidden":            {"此账户无权执行该操作。", "This account may not do that."},
	"tooLarge":             {"提交内容过大", "The form is too large"},
	"badForm":              {"无法读取表单", "The form could not be read"},
	"overview":             {"辖区概览", "Region overview"},
	"enterprises":          {"企业", "Enterprises"},
	"codeLookup":           {"追溯码查询", "Code look-up"},
	"audit":                {"审计日志", "Audit log"},
	"products":             {"产品与批次", "Products and lots"},
	"blocks":               {"赋码申请", "Code blocks"},
	"upload":               {"上传EPCIS", "Upload EPCIS"},
	"custody":              {"收发货", "Custody in and out"},
	"ops":                  {"运维", "Operations"},
	"region":               {"辖区", "Region"},
	"childRegions":         {"下级行政区", "Child regions"},
	"orgs":                 {"企业数", "Enterprises"},
	"productsN":            {"产品数", "Products"},
	"lotsN":                {"批次数", "Lots"},
	"code":                 {"代码", "Code"},
	"name":                 {"名称", "Name"},
	"uscc":                 {"统一社会信用代码", "USCC"},
	"search":               {"搜索", "Search"},
	"searchHint":           {"名称、统一社会信用代码", "name or USCC"},
	"category":             {"类别", "Category"},
	"gtin":                 {"GTIN", "GTIN"},
	"lot":                  {"批号", "Lot"},
	"recall":               {"召回", "Recall"},
	"recalled":             {"已召回", "recalled"},
	"none":                 {"无", "none"},
	"prev":                 {"上一页", "Previous"},
	"next":                 {"下一页", "Next"},
	"time":                 {"时间", "Time"},
	"action":               {"操作", "Action"},
	"outcome":              {"结果", "Outcome"},
	"actor":                {"操作者", "Actor"},
	"client":               {"客户端", "Client"},
	"target":               {"对象", "Target"},
	"detail":               {"说明", "Detail"},
	"status":               {"状态", "Status"},
	"lookup":               {"查询", "Look up"},
	"codeHint":             {"扫码内容：数字链接、GS1元素串、EPC、药品追溯码、短码", "Scanned text: Digital Link, GS1 element string, EPC, drug code, short code"},
	"producer":             {"生产企业", "Producer"},
	"holder":               {"当前持有", "Holder"},
	"timeline":             {"全链条记录", "Full chain"},
	"step":                 {"环节", "Step"},
	"org":                  {"企业", "Organisation"},
	"location":             {"地点", "Location"},
	"document":             {"单据", "Documents"},
	"create":               {"新增", "Create"},
	"nameZH":               {"中文名称", "Chinese name"},
	"nameEN":               {"英文名称", "English name"},
	"gcpLength":            {"厂商识别代码长度", "Company prefix length"},
	"produced":             {"生产日期", "Produced"},
	"expiry":               {"有效期至", "Expiry"},
	"count":                {"数量", "Count"},
	"level":                {"包装层级", "Level"},
	"scheme":               {"码制", "Scheme"},
	"request":              {"申请", "Request"},
	"download":             {"下载", "Download"},
	"format":               {"格式", "Format"},
	"release":              {"退还未用", "Release the rest"},
	"releaseFrom":          {"自序号起退还", "Release from offset"},
	"state":                {"状态", "State"},
	"created":              {"创建时间", "Created"},
	"file":                 {"文件", "File"},
	"uploadHint":           {"EPCIS 2.0 JSON-LD 文档；整体接收或整体拒绝。", "An EPCIS 2.0 JSON-LD document; applied whole or not at all."},
	"accepted":             {"已接收", "Accepted"},
	"rejected":             {"已拒绝", "Rejected"},
	"errors":               {"错误", "Errors"},
	"users":                {"用户", "Users"},
	"keys":                 {"API密钥", "API keys"},
	"health":               {"系统状态", "System health"},
	"prefixes":             {"厂商识别代码", "Company prefixes"},
	"role":                 {"角色", "Role"},
	"scope":                {"范围", "Scope"},
	"categoriesAll":        {"全部类别", "every category"},
	"ok":                   {"正常", "OK"},
	"stats":                {"统计（近90天）", "Statistics (last 90 days)"},
	"trend":                {"每日趋势", "Daily trend"},
	"minted":               {"赋码", "Codes minted"},
	"day":                  {"日期", "Day"},
	"commissioned":         {"激活", "Commissioned"},
	"shipped":              {"发货", "Shipped"},
	"received":             {"收货", "Received"},
	"sold":                 {"销售/调剂", "Sold/dispensed"},
	"scans":                {"公众扫码", "Public scans"},
	"events":               {"事件", "Events"},
	"recalls":              {"召回", "Recalls"},
	"suspicious":           {"可疑", "Suspicious"},
	"alerts":               {"预警", "Alerts"},
	"inHeld":               {"持有中", "Held"},
	"inPending":            {"待收货", "Pending receipt"},
	"shippedOut":           {"已发出", "Shipped out"},
	"downloading":          {"正在下载", "Downloading"},
	"nothing":              {"暂无数据", "Nothing yet"},
	"user":                 {"用户", "User"},
	"uptime":               {"运行时间", "Up for"},
	"store":                {"存储", "Store"},
	"scanLog":              {"扫码日志", "Scan log"},
	"diskUse":              {"磁盘", "Disk"},
	"diskUseFmt":           {"存储占用 %s，剩余可用 %s", "the store uses %s, %s free"},
	"diskRunway":           {"磁盘可用时间", "Disk runway"},
	"runwayWait":           {"测量中：运行满一小时后按增长速度估算", "measuring: estimated from the growth once the server has run an hour"},
	"runwayFlat":           {"自启动以来存储未增长", "the store has not grown since the server started"},
	"runwayFmt":            {"自启动以来每天增长 %s：按当前速度磁盘还可用 %.1f 个月", "growing %s a day since the server started: at today's rate the disk lasts %.1f months"},
	"access":               {"查看权限", "Access"},
	"notices":              {"召回与预警", "Recalls and alerts"},
	"severity":             {"级别", "Severity"},
	"recallLevel":          {"召回级别", "Recall level"},
	"rule":                 {"规则", "Rule"},
	"product":              {"产品", "Product"},
	"recalledLots":         {"召回批次", "Recalled lots"},
	"refusedOrg":           {"该企业不在本账户的辖区内。", "This enterprise is not in this account's region."},
	"complaints":           {"投诉举报", "Complaints"},
	"complaintsIntro":      {"转至本辖区(销售地或生产地区县)的消费者投诉举报。应在收到后7个工作日内决定是否受理;逾期将产生预警。", "Consumer complaints routed to your region (county of sale, else of production). Decide within 7 working days of receipt whether to accept; overdue ones raise an alert."},
	"tracking":             {"受理编号", "Tracking no."},
	"acceptBy":             {"受理决定期限", "Decide by"},
	"complainant":          {"投诉人", "Complainant"},
	"seller":               {"销售者", "seller"},
	"anonymous":            {"匿名", "anonymous"},
	"photo":                {"照片", "photo"},
	"accept":               {"受理", "Accept"},
	"refuse":               {"不予受理", "Refuse"},
	"reasons":              {"理由", "Reasons"},
	"result":               {"处理结果", "Result"},
	"closeComplaint":       {"办结", "Close"},
	"cstate.received":      {"待受理", "received"},
	"cstate.accepted":      {"已受理", "accepted"},
	"cstate.refused":       {"不予受理", "refused"},
	"cstate.closed":        {"已办结", "closed"},
	"credit":               {"信用记录", "Credit"},
	"creditNew":            {"新增信用记录", "New credit entry"},
	"creditKind":           {"类型", "Kind"},
	"gravity":              {"公示期类别", "Gravity"},
	"gravityDefault":       {"按行业默认", "Sector default"},
	"gr.minor":             {"警告、较小罚款(3个月)", "Warning, small fine (3 months)"},
	"gr.general":           {"一般(6个月)", "General (6 months)"},
	"gr.special":           {"食品、药品、特种设备(1年)", "Food, drugs, special equipment (1 year)"},
	"decisionDoc":          {"决定文书号", "Decision document"},
	"summaryZH":            {"公示摘要(中文)", "Public summary (Chinese)"},
	"summaryEN":            {"公示摘要(英文)", "Public summary (English)"},
	"publishFrom":          {"公示起始", "Published from"},
	"publishUntil":         {"公示截止", "Published until"},
	"repairFrom":           {"可申请修复", "Repair from"},
	"creditAdd":            {"写入信用记录", "Write the entry"},
	"creditAdded":          {"已写入信用记录", "Entry written"},
	"creditRules":          {"记录写入后不可修改或删除,以监管账户的凭证签名;严重违法失信名单会在该企业产品的扫码页面显示警示。", "Entries cannot be changed or deleted once written and are signed with your account's credential; a serious-violation entry shows a warning on the scan pages of the enterprise's products."},
	"repairsPending":       {"待决定的信用修复申请", "Repair applications to decide"},
	"approve":              {"准予修复", "Approve"},
	"creditOwn":            {"本企业信用记录", "Our credit record"},
	"riskClass":            {"风险等级", "risk class"},
	"risk.low":             {"低", "low"},
	"risk.medium":          {"中", "medium"},
	"risk.medium-high":     {"较高", "medium-high"},
	"risk.high":            {"高", "high"},
	"corrected":            {"整改情况", "What was corrected"},
	"applyRepair":          {"申请信用修复", "Apply for repair"},
	"ck.penalty":           {"行政处罚", "Administrative penalty"},
	"ck.abnormal":          {"经营异常名录", "Abnormal operations list"},
	"ck.serious-violation": {"严重违法失信名单", "Serious violation list"},
	"ck.recall":            {"召回记录", "Recall"},
	"ck.spot-check-failed": {"抽查不合格", "Failed spot check"},
	"ck.alert-confirmed":   {"风险预警经确认", "Confirmed alert"},
	"ck.positive":          {"认证、表彰", "Certification"},
	"cs.pending":           {"未到公示日", "not yet published"},
	"cs.active":            {"公示中", "published"},
	"cs.repaired":          {"已修复", "repaired"},
	"cs.expired":           {"已过公示期", "expired"},
	"rp.applied":           {"修复申请待决定", "repair applied for"},
	"rp.approved":          {"修复已准予", "repair approved"},
	"rp.refused":           {"修复申请未准予", "repair refused"},
	"sites":                {"场所", "Sites"},
	"siteKind":             {"类型", "Kind"},
	"siteName":             {"名称", "Name"},
	"siteRegion":           {"所在地(县或乡镇代码)", "Region (county or township code)"},
	"gln":                  {"GLN 位置码", "GLN"},
	"siteCode":             {"场所编码或许可证号", "Site code or licence number"},
	"address":              {"地址", "Address"},
	"closed":               {"已停用", "closed"},
	"sk.factory":           {"生产厂", "factory"},
	"sk.warehouse":         {"仓库", "warehouse"},
	"sk.shop":              {"门店", "shop"},
	"sk.station":           {"充装站", "filling station"},
	"sk.farm":              {"种养殖基地", "farm"},
	"sk.pharmacy":          {"药店", "pharmacy"},
	"sk.other":             {"其他", "other"},
}

// t translates key into the request's language.
func (r *consoleReq) t(key string) string {
	m, ok := consoleText[key]
	if !ok {
		return key
	}
	if r.lang == "en" {
		return m[1]
	}
	return m[0]
}

// regionName is a division's full name in the request's language.
func (r *consoleReq) regionName(code uint32) string {
	reg, err := cn.NewRegion(int(code))
	if err != nil {
		return fmt.Sprint(code)
	}
	lang := cn.Chinese
	if r.lang == "en" {
		lang = cn.English
	}
	return strings.TrimSpace(reg.FullName(lang))
}

// scopeText describes what the account covers.
func (r *consoleReq) scopeText() string {
	var parts []string
	if r.acct.Region != 0 {
		parts = append(parts, r.regionName(r.acct.Region))
	}
	if r.acct.Org != 0 {
		if o, err := r.s.eng.Issuance().Org(r.acct.Org); err == nil {
			parts = append(parts, o.Name)
		}
	}
	if r.acct.Categories != 0 {
		parts = append(parts, strings.Join(r.acct.Categories.Names(), ", "))
	}
	return strings.Join(parts, " · ")
}

// randomToken is 256 random bits in base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func constantEq(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
