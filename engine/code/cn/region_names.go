package cn

import "sort"

// Lang selects the language of a region name.
type Lang uint8

// The languages names are kept in.
const (
	Chinese Lang = iota // official Chinese name: 浙江省, 杭州市, 西湖区
	English             // common English name: Zhejiang, Hangzhou, Xihu District
)

// Name returns r's name in lang, if known. Chinese names come from the
// embedded division tree (every province, prefecture, county and township;
// see Known) and, for the provinces, from the regionNames table; English names
// only from that table: the 34 provincial-level divisions, the few
// prefectures and counties named in our reference notes (110101, 330100,
// 330106, 350100, 440300) and the Gansu cities and districts of the demo
// (Lanzhou, Tianshui, Zhangye, Dingxi). A name says nothing about whether a
// code is in use today.
func (r Region) Name(lang Lang) (string, bool) {
	switch lang {
	case Chinese:
		if i, ok := divisions().find(r); ok {
			return divisions().name(i), true
		}
	case English:
	default:
		return "", false
	}
	i := sort.Search(len(regionNames), func(i int) bool { return regionNames[i].code >= r.code })
	if i == len(regionNames) || regionNames[i].code != r.code {
		return "", false
	}
	if lang == English {
		return regionNames[i].en, true
	}
	return regionNames[i].zh, true
}

// regionNames is sorted by code.
var regionNames = [...]struct {
	code   uint32
	zh, en string
}{
	{110000, "北京市", "Beijing"},
	{110101, "东城区", "Dongcheng District"},
	{120000, "天津市", "Tianjin"},
	{130000, "河北省", "Hebei"},
	{140000, "山西省", "Shanxi"},
	{150000, "内蒙古自治区", "Inner Mongolia"},
	{210000, "辽宁省", "Liaoning"},
	{220000, "吉林省", "Jilin"},
	{230000, "黑龙江省", "Heilongjiang"},
	{310000, "上海市", "Shanghai"},
	{320000, "江苏省", "Jiangsu"},
	{330000, "浙江省", "Zhejiang"},
	{330100, "杭州市", "Hangzhou"},
	{330106, "西湖区", "Xihu District"},
	{340000, "安徽省", "Anhui"},
	{350000, "福建省", "Fujian"},
	{350100, "福州市", "Fuzhou"},
	{360000, "江西省", "Jiangxi"},
	{370000, "山东省", "Shandong"},
	{410000, "河南省", "Henan"},
	{420000, "湖北省", "Hubei"},
	{430000, "湖南省", "Hunan"},
	{440000, "广东省", "Guangdong"},
	{440300, "深圳市", "Shenzhen"},
	{450000, "广西壮族自治区", "Guangxi"},
	{460000, "海南省", "Hainan"},
	{500000, "重庆市", "Chongqing"},
	{510000, "四川省", "Sichuan"},
	{520000, "贵州省", "Guizhou"},
	{530000, "云南省", "Yunnan"},
	{540000, "西藏自治区", "Xizang (Tibet)"},
	{610000, "陕西省", "Shaanxi"},
	{620000, "甘肃省", "Gansu"},
	{620100, "兰州市", "Lanzhou"},
	{620102, "城关区", "Chengguan District"},
	{620103, "七里河区", "Qilihe District"},
	{620500, "天水市", "Tianshui"},
	{620502, "秦州区", "Qinzhou District"},
	{620503, "麦积区", "Maiji District"},
	{620700, "张掖市", "Zhangye"},
	{620702, "甘州区", "Ganzhou District"},
	{621100, "定西市", "Dingxi"},
	{621102, "安定区", "Anding District"},
	{630000, "青海省", "Qinghai"},
	{640000, "宁夏回族自治区", "Ningxia"},
	{650000, "新疆维吾尔自治区", "Xinjiang"},
	{710000, "台湾省", "Taiwan"},
	{810000, "香港特别行政区", "Hong Kong"},
	{820000, "澳门特别行政区", "Macao"},
}
