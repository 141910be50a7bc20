package notice

import "tracecode/engine/recall"

// RecallLinkView is what a recall's acknowledgement link shows its
// recipient: the public view of the recall and the recipient's own
// record (its quantities, its deadline, whether it acknowledged).
type RecallLinkView struct {
	*RecallView
	Recipient recall.Recipient `json:"recipient"`
}

// RecallByLink returns what recall id's acknowledgement link for
// organisation org shows, once its token verifies (recall.ErrLink if
// not). The link is the credential: no API key is asked, and it opens
// only this recipient's record.
func (o *Office) RecallByLink(id uint64, org uint32, token string) (*RecallLinkView, error) {
	lv, err := o.Recalls.ByLink(id, org, token)
	if err != nil {
		return nil, err
	}
	return &RecallLinkView{RecallView: o.publicView(lv.Recall), Recipient: lv.Recipient}, nil
}

// AckRecallByLink records org's acknowledgement of recall id through its
// link.
func (o *Office) AckRecallByLink(id uint64, org uint32, token, note string) (recall.Recipient, error) {
	return o.Recalls.AckByLink(id, org, token, note, o.nowMillis())
}
