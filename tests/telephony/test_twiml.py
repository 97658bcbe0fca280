from __future__ import annotations

from xml.etree import ElementTree

from telephony import twiml


def test_nothing_is_an_empty_response():
    assert ElementTree.fromstring(twiml.nothing()).tag == "Response"
    assert len(ElementTree.fromstring(twiml.nothing())) == 0


def test_a_reply_is_one_message_with_the_text_escaped():
    doc = ElementTree.fromstring(twiml.reply("<b>שלום</b> & bye"))
    [message] = list(doc)
    assert message.tag == "Message"
    assert message.text == "<b>שלום</b> & bye"
