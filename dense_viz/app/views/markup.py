"""Small HTML helpers the views share."""


def paragraph(markup, color="inherit"):
    """HTML text at reading line height (a widget's HTML inherits the 28 px line height of its input rows)."""
    return f'<div style="font-size:13px;line-height:1.5;color:{color};margin:4px 0">{markup}</div>'
