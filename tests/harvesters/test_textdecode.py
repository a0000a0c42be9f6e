import codecs

from harvesters.textdecode import decode_text

CHINESE = "# 中文模型\n\n这是一个支持中英双语的开源对话语言模型。\n"


def test_utf8_and_its_bom():
    assert decode_text("Café ☕\n".encode()) == "Café ☕\n"
    assert decode_text(codecs.BOM_UTF8 + "Café\n".encode()) == "Café\n"


def test_utf16_with_bom_both_byte_orders():
    assert decode_text(codecs.BOM_UTF16_LE + CHINESE.encode("utf-16-le")) == CHINESE
    assert decode_text(codecs.BOM_UTF16_BE + CHINESE.encode("utf-16-be")) == CHINESE
    assert decode_text("Hello\n".encode("utf-16")) == "Hello\n"


def test_gbk_is_read_as_chinese():
    assert decode_text(CHINESE.encode("gbk")) == CHINESE
    assert decode_text(CHINESE.encode("gb18030")) == CHINESE


def test_western_windows_text_is_not_mistaken_for_chinese():
    text = "Résumé of the “café” étude: élève, naïve, façade.\n"
    assert decode_text(text.encode("cp1252")) == text


def test_binary_data_is_refused():
    assert decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") is None
    assert decode_text(b"text with a \x00 byte") is None


def test_windows_newlines_become_unix_ones():
    assert decode_text(b"a\r\nb\rc\n") == "a\nb\nc\n"
