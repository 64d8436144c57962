"""Plotly's chart toolbar, messages and date formats in Japanese.

plotly.js ships English only. Its `config` takes `locale` (the name to use) and `locales` (dictionaries
registered for that chart), so a chart config carries this module's CONFIG. The keys are
plotly.js's own English strings, exactly as in the plotly.js that Streamlit draws with (3.8.x; its
modebar and notifier texts); a key that does not match stays English, so a plotly.js upgrade
needs these keys checked again (tests/test_plotly_ja.py checks them against the bundle).
"""

from __future__ import annotations

DICTIONARY: dict[str, str] = {
    # toolbar buttons (their titles are the tooltips and the accessible names)
    "Download plot as a PNG": "グラフを PNG で保存",
    "Download plot": "グラフを画像で保存",
    "Download plot as JSON": "グラフを JSON で保存",
    "Zoom": "範囲を選んで拡大",
    "Pan": "表示位置を移動",
    "Box Select": "四角で囲んで選択",
    "Lasso Select": "自由に囲んで選択",
    "Zoom in": "拡大",
    "Zoom out": "縮小",
    "Autoscale": "全体を表示",
    "Reset axes": "軸を元に戻す",
    "Reset": "元に戻す",
    "Reset view": "表示を元に戻す",
    "Reset views": "表示を元に戻す",
    "Reset camera to default": "視点を初期状態に戻す",
    "Reset camera to last save": "視点を保存した状態に戻す",
    "Orbital rotation": "自由に回転",
    "Turntable rotation": "水平に回転",
    "Toggle Spike Lines": "補助線の表示を切り替え",
    "Show closest data on hover": "マウス位置にいちばん近い値を表示",
    "Compare data on hover": "マウス位置の値を並べて表示",
    "Toggle show closest data on hover": "マウス位置の値の表示を切り替え",
    "Draw line": "線を描く",
    "Draw open freeform": "自由線を描く",
    "Draw closed freeform": "自由図形を描く",
    "Draw circle": "円を描く",
    "Draw rectangle": "四角形を描く",
    "Erase active shape": "選んだ図形を消す",
    # messages shown in the chart's corner
    "Preparing image - this may take a few seconds": "画像を作成しています（数秒かかることがあります）",
    "Image download succeeded": "画像を保存しました",
    "JSON download succeeded": "JSON を保存しました",
    "Sorry, there was a problem downloading your image!": "画像を保存できませんでした。もう一度お試しください。",
    "Sorry, there was a problem downloading your JSON file!": "JSON を保存できませんでした。もう一度お試しください。",
    "Double-click to zoom back out": "ダブルクリックで元の表示に戻ります",
    "Double-click on legend to isolate one trace": "凡例をダブルクリックすると、その系列だけを表示します",
    # Not here: an editable chart's placeholders and the hover labels of box plots; no chart here is either.
}

# Date and number formats (d3-format / d3-time-format), for any axis or hover that shows dates.
FORMAT: dict[str, object] = {
    "days": ["日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"],
    "shortDays": ["日", "月", "火", "水", "木", "金", "土"],
    "months": [f"{m}月" for m in range(1, 13)],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
    "periods": ["午前", "午後"],
    "dateTime": "%Y/%m/%d %H:%M:%S",
    "date": "%Y/%m/%d",
    "time": "%H:%M:%S",
    "decimal": ".",
    "thousands": ",",
    "grouping": [3],
    "currency": ["", "円"],
    "year": "%Y年",
    "month": "%Y年%-m月",
    "dayMonth": "%-m月%-d日",
    "dayMonthYear": "%Y年%-m月%-d日",
}

# The entries a plotly chart config needs to speak Japanese: `{**config, **plotly_ja.CONFIG}`.
CONFIG = {"locale": "ja", "locales": {"ja": {"dictionary": DICTIONARY, "format": FORMAT}}}
