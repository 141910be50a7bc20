package category

import (
	"time"

	"tracecode/engine/code/cn"
)

// Place returns a fact value naming the GB/T 2260 division or township
// code: its full name in each language (English falls back to the Chinese
// name of a township, which has no English one) with the code after it —
// "甘肃省 天水市 麦积区 马跑泉镇 (620503101)". A code not in the
// division tree is shown as it is.
func Place(code string) Text {
	r, err := cn.ParseRegion(code)
	if err != nil {
		return Same(code)
	}
	zh, en := r.FullName(cn.Chinese), r.FullName(cn.English)
	if zh == "" {
		return Same(code)
	}
	return T(zh+" ("+code+")", en+" ("+code+")")
}

// china is China Standard Time, the zone every fact's time is shown in
// (the country has one).
var china = time.FixedZone("CST", 8*3600)

// Local formats t in China Standard Time with layout, whatever zone the
// event's time was decoded in.
func Local(t time.Time, layout string) string { return t.In(china).Format(layout) }
