package server

import (
	"bytes"
	_ "embed"
	"errors"
	"html/template"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/notice"
	"tracecode/engine/recall"
)

//go:embed assets/recall_ack.html
var recallAckHTML string

var recallAckTemplate = template.Must(template.New("recall_ack").Parse(recallAckHTML))

// recallAckPrefix starts the path of a recall's acknowledgement link:
// /recalls/{recall}/ack?org=&t=.
const recallAckPrefix = "/recalls/"

var recallAckText = map[string]map[string]string{
	"zh": {"title": "召回通知确认", "brand": "产品追溯", "switch": "English", "level": "召回级别",
		"intro": "本通知发给:", "producer": "生产者", "lots": "批次", "reason": "召回原因", "action": "处理方式",
		"received": "贵单位收到的数量", "cases": "箱", "held": "召回开始时仍持有", "ackby": "请在此时间前确认", "finishby": "召回完成期限",
		"note": "备注(已采取的措施,可选)", "button": "确认收到召回通知", "acked": "已确认收到:",
		"next":   "请按召回要求停止销售、封存并退回或销毁产品;收回、退回和销毁的数量请通过追溯系统上报。",
		"closed": "该召回已结束,无需确认。", "private": "此链接仅供贵单位使用,请勿转发。",
		"err.link": "该确认链接无效:请使用通知中的完整链接。", "err.missing": "找不到该召回或贵单位不在其通知名单中。",
		"err.state": "该召回已确认或已结束。", "err.note": "备注过长或含有不允许的字符。",
		"footer": "一站式查询 · 来源可查、去向可追、责任可究"},
	"en": {"title": "Acknowledge a recall", "brand": "Product trace", "switch": "中文", "level": "Level",
		"intro": "This notice is addressed to", "producer": "Producer", "lots": "Lots", "reason": "Reason", "action": "What to do",
		"received": "Quantity you received", "cases": "cases", "held": "Still held when the recall started", "ackby": "Acknowledge by", "finishby": "Recall to finish by",
		"note": "Note (what you have done, optional)", "button": "Acknowledge this recall", "acked": "Acknowledged:",
		"next":   "Stop selling, quarantine and return or destroy the products as the recall says; report the quantities recovered, returned and destroyed through the trace system.",
		"closed": "This recall is closed; there is nothing to acknowledge.", "private": "This link is for your organisation only; do not forward it.",
		"err.link": "This acknowledgement link is not valid: use the whole link from the notification.", "err.missing": "No such recall, or your organisation is not one of its recipients.",
		"err.state": "This recall is already acknowledged or closed.", "err.note": "The note is too long or has characters that are not allowed.",
		"footer": "One-stop query · source, destination and responsibility"},
}

type recallAckView struct {
	Lang, OtherLang, SwitchURL string
	T                          map[string]string
	CSS                        template.CSS
	Error                      string
	View                       *notice.RecallLinkView
	Reason, Action             string
	AckBy, FinishBy, Acked     string
	Closed                     bool
	Token, FormURL             string
}

// serveRecallAck serves a recall's acknowledgement link: GET
// /recalls/{recall}/ack?org=&t= shows the recipient its notice and a
// form, POST (form fields org, t, note) acknowledges. The link's token is
// the credential; the engine checks it.
func (s *Server) serveRecallAck(ctx *fasthttp.RequestCtx, path []byte) *routeStats {
	st := s.m.route("recall_ack")
	rest := path[len(recallAckPrefix):]
	i := bytes.IndexByte(rest, '/')
	method := string(ctx.Method())
	if i <= 0 || string(rest[i:]) != "/ack" {
		problem(ctx, fasthttp.StatusNotFound, "no-route", "no route "+method+" "+string(path)+"; a recall's acknowledgement link is /recalls/{recall}/ack?org=&t=")
		return st
	}
	if method != "GET" && method != "HEAD" && method != "POST" {
		ctx.Response.Header.Set("Allow", "GET, HEAD, POST")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "a recall's acknowledgement link answers GET and POST")
		return st
	}
	lang := pickLang(string(ctx.QueryArgs().Peek("lang")), string(ctx.Request.Header.Peek("Accept-Language")))
	other := "en"
	if lang == "en" {
		other = "zh"
	}
	v := &recallAckView{Lang: lang, OtherLang: other, T: recallAckText[lang], CSS: template.CSS(scanCSS), SwitchURL: switchURL(ctx, other)}
	args := ctx.QueryArgs()
	if method == "POST" {
		args = ctx.PostArgs()
	}
	id, idErr := strconv.ParseUint(string(rest[:i]), 10, 64)
	org, orgErr := strconv.ParseUint(string(args.Peek("org")), 10, 32)
	token := string(args.Peek("t"))
	n := s.notices()
	switch {
	case idErr != nil || orgErr != nil || n == nil:
		v.Error = v.T["err.link"]
		ctx.SetStatusCode(fasthttp.StatusForbidden)
	case method == "POST":
		if _, err := n.AckRecallByLink(id, uint32(org), token, string(args.Peek("note"))); err != nil {
			s.recallAckError(ctx, v, err)
			break
		}
		// Post/redirect/get: a reload shows the acknowledgement, it does
		// not post again.
		ctx.Redirect(string(path)+"?org="+strconv.FormatUint(org, 10)+"&t="+token+"&lang="+lang, fasthttp.StatusSeeOther)
		return st
	}
	if v.Error == "" {
		lv, err := n.RecallByLink(id, uint32(org), token)
		if err != nil {
			s.recallAckError(ctx, v, err)
		} else {
			loc := s.eng.Location()
			day := func(ms int64) string {
				if ms == 0 {
					return ""
				}
				return time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04")
			}
			v.View, v.Token, v.FormURL = lv, token, string(path)+"?lang="+lang
			v.Reason, v.Action = pickText(lang, lv.ReasonZH, lv.ReasonEN), pickText(lang, lv.ActionZH, lv.ActionEN)
			v.AckBy, v.FinishBy, v.Acked = day(lv.Recipient.AckBy), day(lv.FinishBy), day(lv.Recipient.Acked)
			v.Closed = lv.State == recall.Closed
		}
	}
	var buf bytes.Buffer
	if err := recallAckTemplate.Execute(&buf, v); err != nil {
		s.internalError(ctx, "recall acknowledgement page", err)
		return st
	}
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Content-Language", lang)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	setPageSecurity(ctx)
	ctx.SetBody(buf.Bytes())
	return st
}

// recallAckError sets v's message and the status for err.
func (s *Server) recallAckError(ctx *fasthttp.RequestCtx, v *recallAckView, err error) {
	switch {
	case errors.Is(err, recall.ErrLink):
		v.Error = v.T["err.link"]
		ctx.SetStatusCode(fasthttp.StatusForbidden)
	case errors.Is(err, recall.ErrNotFound):
		v.Error = v.T["err.missing"]
		ctx.SetStatusCode(fasthttp.StatusNotFound)
	case errors.Is(err, recall.ErrState):
		v.Error = v.T["err.state"]
		ctx.SetStatusCode(fasthttp.StatusConflict)
	case errors.Is(err, recall.ErrInvalid):
		v.Error = v.T["err.note"]
		ctx.SetStatusCode(fasthttp.StatusBadRequest)
	default:
		s.internalError(ctx, "recall acknowledgement", err)
	}
}
