package app

import (
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// contactChannelText is a preferred reply channel as the UI names it.
func contactChannelText(ch sportello.ContactChannel) string {
	switch ch {
	case sportello.ContactPhone:
		return tr("phone")
	case sportello.ContactEmail:
		return tr("email")
	case sportello.ContactLetter:
		return tr("post")
	case sportello.ContactFax:
		return tr("fax")
	}
	return string(ch)
}

// newReplyChannel makes the wrap-up's preferred reply channel select,
// shown with the desk choice of an escalation; Tab reaches it after the
// desk, Left/Right choose.
func (s *operatorScreen) newReplyChannel() {
	labels := make([]string, len(sportello.ContactChannels))
	for i, ch := range sportello.ContactChannels {
		labels[i] = contactChannelText(ch)
	}
	s.replyChannel = widget.NewSelect(labels, nil)
	s.replyChannel.PlaceHolder = tr("Preferred reply channel (Left/Right arrows)")
	s.replyChannel.Hide()
}

// replyChannelShow shows the select with the desk choice, or hides it.
func (s *operatorScreen) replyChannelShow(on bool) {
	if on {
		s.replyChannel.Show()
	} else {
		s.replyChannel.Hide()
	}
}

// replyChannelFill puts the chosen channel on an escalating wrap-up.
func (s *operatorScreen) replyChannelFill(w *sportello.WrapUp) {
	i := s.replyChannel.SelectedIndex()
	if w.Outcome == sportello.OutcomeEscalated && i >= 0 && i < len(sportello.ContactChannels) {
		w.ReplyChannel = sportello.ContactChannels[i]
	}
}

// replyChannelSaved clears the choice for the next call.
func (s *operatorScreen) replyChannelSaved() {
	s.replyChannel.ClearSelected()
}

// channelText is the queue line's part naming the citizen's preferred
// reply channel, none when the escalation gave none.
func channelText(k *sportello.Case) []string {
	if ch := k.PreferredChannel(); ch != "" {
		return []string{tr("preferred reply") + ": " + contactChannelText(ch)}
	}
	return nil
}

// preferChannel marks the reply action of the case's preferred channel
// as the default one: first in importance and labelled "preferred".
func (r *replyActions) preferChannel(k *sportello.Case) {
	var ch sportello.ContactChannel
	if k != nil {
		ch = k.PreferredChannel()
	}
	marker := " · " + tr("preferred")
	for _, b := range []struct {
		btn *tipButton
		ch  sportello.ContactChannel
	}{
		{r.emailBtn, sportello.ContactEmail},
		{r.letterBtn, sportello.ContactLetter},
		{r.phoneBtn, sportello.ContactPhone},
	} {
		text, imp := strings.TrimSuffix(b.btn.Text, marker), widget.MediumImportance
		if ch == b.ch {
			text, imp = text+marker, widget.HighImportance
		}
		if b.btn.Text != text || b.btn.Importance != imp {
			b.btn.Importance = imp
			b.btn.SetText(text)
		}
	}
}
