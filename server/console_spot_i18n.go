package server

// The spot-check console pages' messages (console_spot.go), merged into
// consoleText.
var consoleSpotText = map[string][2]string{
	"spotChecks":          {"双随机抽查", "Spot checks"},
	"spotIntro":           {"随机抽取检查对象、随机选派执法检查人员,抽查结果及时向社会公开。抽取用公开的随机种子,任何人可复核。", "Draw the businesses to inspect and the inspectors at random, and publish the results. Draws use a published seed that anyone can re-run."},
	"spotPublicPage":      {"公示页面", "Public results page"},
	"openData":            {"开放数据", "Open data"},
	"spotNewPlan":         {"新建抽查计划(事项清单)", "New check plan"},
	"spotPlanName":        {"抽查任务名称", "Plan name"},
	"spotItems":           {"检查事项(每行一项)", "Items checked (one a line)"},
	"spotCategories":      {"产品类别(不选:全部企业)", "Product categories (none: every business)"},
	"spotRatio":           {"抽查比例", "Ratio"},
	"spotInspectors":      {"每次检查执法人员数(至少2名)", "Inspectors per inspection (at least 2)"},
	"spotPublishDays":     {"结果公示期限(天)", "Publish results within (days)"},
	"spotConflicts":       {"回避(每行:执法人员账号 统一社会信用代码)", "Recusals (a line each: inspector login, USCC)"},
	"spotConflictLine":    {"回避第几行格式不对,应为“账号 代码”:", "Recusal line not “login USCC”:"},
	"spotCreatePlan":      {"创建计划", "Create plan"},
	"spotPlanHelp":        {"比例默认按风险分类:高30%、较高10%、中2%、低1%。检查对象为本辖区登记的企业,执法人员为本辖区的检查员账号。", "Default ratios by risk class: high 30 %, medium-high 10 %, medium 2 %, low 1 %. The population is the businesses registered in your region; the inspectors are your region's inspector accounts."},
	"spotPlans":           {"抽查计划", "Check plans"},
	"spotDraws":           {"抽取记录", "Draws"},
	"spotDraw":            {"抽取", "Draw"},
	"spotSeed":            {"随机种子", "Seed"},
	"seed.given":          {"事先公布", "published in advance"},
	"seed.server-random":  {"服务器随机生成并记录", "server-random, recorded"},
	"spotPublishBy":       {"公示截止", "Publish by"},
	"spotRecorded":        {"已录入结果", "Results recorded"},
	"spotCreated":         {"创建", "Created"},
	"spotPlanFile":        {"下载计划 (JSON)", "Plan (JSON)"},
	"spotPopulationFile":  {"下载名录 (JSON)", "Population (JSON)"},
	"spotDrawFile":        {"下载抽取结果 (JSON)", "Draw (JSON)"},
	"spotDrawNow":         {"抽取", "Draw"},
	"spotSeedPlaceholder": {"事先公布的随机种子(留空则由服务器生成)", "The seed published in advance (empty: the server makes one)"},
	"spotDrawButton":      {"按此种子抽取", "Draw with this seed"},
	"spotSeedHelp":        {"推荐做法:在抽取前公布种子(例如写入抽查公告),抽取时填入。同一计划同一种子总是得到同一结果。", "Recommended: publish the seed before drawing (e.g. in the plan's notice) and enter it here. The same plan and seed always give the same draw."},
	"spotPopulation":      {"当前名录", "Population now"},
	"spotInspectorsN":     {"执法人员", "Inspectors"},
	"spotLastInspectors":  {"上次检查人员(本次回避)", "Last inspectors (not drawn again)"},
	"spotSeedSource":      {"种子来源", "Seed source"},
	"spotAlgorithm":       {"算法 / 版本", "Algorithm / version"},
	"spotPopHash":         {"名录 SHA-256", "Population SHA-256"},
	"spotRerun":           {"任何人可用下载的计划、名录和种子离线复核这次抽取:", "Anyone can re-run this draw offline from the plan, the population and the seed:"},
	"spotInspections":     {"检查对象与执法人员", "Businesses and inspectors drawn"},
	"spotResult":          {"检查结果", "Result"},
	"spotNote":            {"说明(公开)", "Note (public)"},
	"spotLots":            {"抽检批次", "Lots sampled"},
	"spotCodes":           {"抽检追溯码", "Codes sampled"},
	"spotRecord":          {"录入并公示", "Record and publish"},
	"spotPublished":       {"已公示", "published"},
	"spotOverdue":         {"已超公示期限", "overdue"},
	"spotOwn":             {"本企业的抽查结果", "Our inspections"},
	"spotOwnHelp":         {"监管部门已公示的对本企业的抽查结果。", "The published results of inspections of this business."},
	"uscc":                {"统一社会信用代码", "USCC"},
	"spotItemsH":          {"检查事项", "Items checked"},
	"spotCategoriesH":     {"产品类别", "Product categories"},
	"spotConflictsH":      {"回避", "Recusals"},
}

func init() {
	for k, v := range consoleSpotText {
		if _, ok := consoleText[k]; !ok {
			consoleText[k] = v
		}
	}
}
