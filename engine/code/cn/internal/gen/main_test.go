package main

import (
	"strings"
	"testing"
)

func src(lines ...string) []srcRow {
	var rows []srcRow
	for i, l := range lines {
		c, n, _ := strings.Cut(l, " ")
		rows = append(rows, srcRow{c, n, i + 1})
	}
	return rows
}

func TestConvert(t *testing.T) {
	rows, err := convert(src("44 广东省", "62 甘肃省", "4419 东莞市", "6201 兰州市", "441900 东莞市", "620102 城关区",
		"441900003 东城街道", "620102001 酒泉路街道", "620102000 城关区"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.name)
	}
	// 441900 (the prefecture again) and 620102000 (the county again) are
	// dropped; the three codeless provinces are added; pre-order by code.
	want := "广东省 东莞市 东城街道 甘肃省 兰州市 城关区 酒泉路街道 台湾省 香港特别行政区 澳门特别行政区"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	for _, tc := range []struct {
		in   []srcRow
		want string
	}{
		{src("62 甘肃省", "620102 城关区"), "no parent"},
		{src("62 甘肃省", "62 甘肃"), "listed twice"},
		{src("62 甘肃省", "6201 "), "bad name"},
		{src("62x 甘肃省"), "not a number"},
		{src("620 甘肃省"), "has 3 digits"},
	} {
		if _, err := convert(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.in, err, tc.want)
		}
	}
}
