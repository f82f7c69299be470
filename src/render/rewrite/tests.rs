use super::*;

fn strip(s: &str) -> String {
    html(s, &Options::plain(Scripts::Strip))
}

fn keep(s: &str) -> String {
    html(s, &Options::plain(Scripts::Keep))
}

/// No trace of the outside host `evil` (any spelling that survived would
/// still hold these letters) in what is sent.
fn no_evil(out: &str, input: &str) {
    let l = out.to_ascii_lowercase();
    assert!(!l.contains("evil"), "{input:?}\n  -> {out:?}");
}

#[test]
fn external_links_go_to_notice_page() {
    let out = keep(r#"<p><a href="https://ko.wikipedia.org/wiki/서울">x</a></p>"#);
    assert!(out.contains(r#"href="/external?url=https"#), "{out}");
    assert!(!out.contains("href=\"https:"));
    let out = strip(r#"<svg><a xlink:href="https://x.example/">x</a></svg>"#);
    assert!(out.contains(r##"xlink:href="/external?url="##), "{out}");
}

#[test]
fn normal_content_is_kept() {
    let page = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>서울 &amp; 부산</title><link rel="stylesheet" href="../-/style.css"><style>body{background:url(bg.png) no-repeat;font:12px/1.5 sans-serif}.a>b{color:red}</style></head><body class="mw"><a href="./Seoul">a</a><a href="../Q%26A#x">b</a><img src="_assets_/img/1.png" srcset="a.png 1x, b.png 2x" alt="그림"><img src="data:image/png;base64,iVBORw0KGgo="><div style="background-image:url('i/x.svg');width:1px"></div><a href="#top">top</a><svg viewBox="0 0 1 1"><use href="#i"/><path d="M0 0L1 1" fill="url(#g)"/></svg><math><mi>x</mi></math><p>a &lt; b &gt; c</p></body></html>"##;
    let out = strip(page);
    for want in [
        "<!DOCTYPE html>",
        r#"href="./Seoul""#,
        r#"href="../Q%26A#x""#,
        r#"src="_assets_/img/1.png""#,
        r#"srcset="a.png 1x, b.png 2x""#,
        r#"alt="그림""#,
        "data:image/png;base64,iVBORw0KGgo=",
        "url(&#39;i/x.svg&#39;)",
        "url(bg.png)",
        ".a>b{color:red}",
        "<title>서울 &amp; 부산</title>",
        r#"href="../-/style.css""#,
        r##"fill="url(#g)""##,
        r##"href="#i""##,
        r#"viewBox="0 0 1 1""#,
        "<p>a &lt; b &gt; c</p>",
        "<mi>x</mi>",
    ] {
        let want = want.replace("&#39;", "'");
        assert!(out.contains(&want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn every_fetching_attribute_to_outside_is_dropped() {
    for s in [
        r#"<img src="https://evil/a.png">"#,
        r#"<img src="//evil/a.png">"#,
        r#"<img src="\\evil\a.png">"#,
        r#"<img src="/\evil/a.png">"#,
        r#"<img srcset="a.png 1x, https://evil/b.png 2x">"#,
        r#"<img srcset="data:image/png,x //evil 2x">"#,
        r#"<picture><source srcset="https://evil/p.webp"></picture>"#,
        r#"<video poster="https://evil/p.jpg" src="https://evil/f.mp4"></video>"#,
        r#"<audio src="//evil/s.mp3"></audio><track src="//evil/s.vtt">"#,
        r#"<object data="https://evil/x.swf" codebase="https://evil/" classid="clsid:x"></object>"#,
        r#"<embed src="https://evil/e.swf">"#,
        r#"<applet code="X" codebase="https://evil/" archive="a.jar https://evil/b.jar"></applet>"#,
        r#"<iframe src="https://evil/"></iframe><frame src="//evil/">"#,
        r#"<body background="https://evil/b.png"><table background="//evil/t.png"><td background="//evil">"#,
        r#"<input type="image" src="https://evil/i.png">"#,
        r#"<img lowsrc="//evil/l.png" dynsrc="//evil/d.avi" longdesc="https://evil/">"#,
        r#"<bgsound src="https://evil/s.wav">"#,
        r#"<form action="https://evil/f"><button formaction="//evil/b">x</button></form>"#,
        r#"<link rel="stylesheet" href="https://evil/s.css">"#,
        r#"<link rel="preconnect" href="https://evil">"#,
        r#"<link rel="dns-prefetch" href="//evil">"#,
        r#"<link rel="prefetch" href="//evil/n.html"><link rel="preload" as="image" imagesrcset="//evil/a.png 1x">"#,
        r#"<link rel="icon" href="//evil/f.ico"><link rel="manifest" href="https://evil/m.json">"#,
        r#"<link rel="modulepreload" href="https://evil/m.js"><link rel="prerender" href="//evil">"#,
        r#"<LINK REL=STYLESHEET HREF=HTTPS://EVIL/S.CSS>"#,
        r#"<base href="https://evil/">"#,
        r#"<base href="/\evil/">"#,
        r#"<meta http-equiv="refresh" content="0; url=https://evil/">"#,
        r#"<meta http-equiv="refresh" content="0;https://evil/">"#,
        r#"<meta http-equiv="refresh" content="0,URL='//evil/'">"#,
        r#"<meta http-equiv="Link" content="<https://evil/s.css>; rel=stylesheet">"#,
        r#"<meta http-equiv="x-dns-prefetch-control" content="on"><a href=x>ok</a>"#,
        r#"<meta http-equiv="set-cookie" content="evil=1">"#,
        r#"<meta name="msapplication-config" content="https://evil/b.xml">"#,
        r#"<svg><image href="https://evil/i.png"/><image xlink:href="//evil/x.png"/></svg>"#,
        r#"<svg><use href="https://evil/s.svg#a"/><feImage href="//evil/f.png"/></svg>"#,
        r#"<svg><rect fill="url(https://evil/p.svg#p)" filter="url(//evil/f.svg#f)"/></svg>"#,
        r#"<svg><rect fill="u\rl(//evil/p.svg#p)"/></svg>"#,
        r##"<svg><animate attributeName="href" values="#a;https://evil/"/><set attributeName="xlink:href" to="//evil"/></svg>"##,
        r#"<svg xmlns:l="http://www.w3.org/1999/xlink"><image l:href="//evil/i.png"/></svg>"#,
        r#"<html manifest="https://evil/m.appcache">"#,
        r#"<a ping="https://evil/p" href="x">x</a>"#,
        r#"<img src="&#104;ttps://evil/a.png">"#,
        r#"<img src="&#x68;ttps&colon;&sol;&sol;evil/a.png">"#,
        r#"<img src="ht&Tab;tps://evil/a.png">"#,
        r#"<img src="	https://evil/a.png">"#,
        r#"<img src=" &#x0A;//evil/a.png">"#,
        r#"<IMG SRC=HtTpS://evil/a.png>"#,
        r#"<img src='https://evil/a.png'>"#,
        r#"<img src=`https://evil/a.png`>"#,
        r#"<img """ src="//evil">"#,
        r#"<img/src="//evil/a.png">"#,
        r#"<xml src="https://evil/i.xml"></xml>"#,
        r##"<div datasrc="#x" datafld="evil" dataformatas="html"></div>"##,
        r#"<iframe src="data:text/html,<img src=x>evil"></iframe>"#,
        r#"<object data="data:image/svg+xml,<svg><image href='x'/>evil</svg>"></object>"#,
        r#"<link rel=stylesheet href="data:text/css,@import 'x';/*evil*/">"#,
        r#"<math><mi href="https://evil/">x</mi></math>"#,
        r#"<div xml:base="https://evil/"></div>"#,
        r#"<head profile="https://evil/p">"#,
        r#"<blockquote cite="https://evil/q">q</blockquote>"#,
        r#"<meta property="og:image" content="https://evil/i.png">"#,
    ] {
        for out in [keep(s), strip(s)] {
            no_evil(&out, s);
        }
    }
}

#[test]
fn css_every_way_to_outside_is_dropped() {
    for s in [
        "a{background:url(https://evil/a.png)}",
        "a{background:url(//evil/a.png)}",
        "a{background:url( '//evil/a.png' )}",
        "a{background:URL(\"//evil/a.png\")}",
        "a{background:u\\rl(//evil/a.png)}",
        "a{background:\\75 rl(//evil/a.png)}",
        "a{background:\\000075\\000072\\00006c(//evil/a.png)}",
        "a{background:url(\\2f\\2f evil/a.png)}",
        "a{background:url(\\68 ttps://evil/a.png)}",
        "a{background:url(https://evil/a b.png)}",
        "a{background:url(//evil/a.png}",
        "a{background:u/**/rl(//evil/a.png)}",
        "a{background:image-set(\"//evil/1.png\" 1x, 'x.png' 2x)}",
        "a{background:-webkit-image-set(url(//evil/1.png) 1x)}",
        "a{background:image-set('//evil/1.png' type('image/png'))}",
        "a{background:src('//evil/1.png')}",
        "@import url(https://evil/i.css);",
        "@import 'https://evil/i.css';",
        "@import \"//evil/i.css\" screen;",
        "@IMPORT URL(//evil/i.css);",
        "@import url(data:text/css,a{background:url(//evil)});",
        "@import url('data:text/css,a{background:url(//evil)}');",
        "@font-face{font-family:x;src:url(https://evil/f.woff2) format('woff2')}",
        "@font-face{font-family:x;src:local(x),url(//evil/f.woff)}",
        "@media screen{@supports (display:grid){a{background:url(//evil/x)}}}",
        "a{--x:url(//evil/x.png);background:var(--x)}",
        "a{cursor:url(//evil/c.cur),auto;list-style:url(//evil/l.png);content:url(//evil/c.png)}",
        "a{border-image:url(//evil/b.png) 30;mask:url(//evil/m.svg);shape-outside:url(//evil/s.png)}",
        "a{filter:progid:DXImageTransform.Microsoft.AlphaImageLoader(src='//evil/a.png')}",
        "a{-ms-filter:\"progid:DXImageTransform.Microsoft.AlphaImageLoader(src='https://evil/a.png')\"}",
        "@-moz-document url-prefix(){a{background:url(//evil)}}",
        "a{background:url(//evil/a.png)",
        "a{background:url(//evil",
    ] {
        for strip in [false, true] {
            let sc = if strip { Scripts::Strip } else { Scripts::Keep };
            let out = css(s, sc);
            no_evil(&out, s);
            // The same in a <style> block and a style attribute.
            no_evil(&html(&format!("<style>{s}</style>"), &Options::plain(sc)), s);
            let decls = s.split_once('{').map_or(s, |x| x.1).trim_end_matches('}');
            no_evil(
                &html(
                    &format!("<p style=\"{}\">x</p>", decls.replace('"', "&quot;")),
                    &Options::plain(sc),
                ),
                s,
            );
        }
    }
}

#[test]
fn css_keeps_what_is_local_and_drops_only_the_bad_statement() {
    let s = "@charset \"utf-8\";\n@import 'local.css';\na{color:red;background:url(//evil/x.png);margin:0}\n@media print{b{background:url(p.png)}c{background:url(//evil)}}\nd{background:url(data:image/svg+xml;utf8,<svg/>)}";
    let out = css(s, Scripts::Strip);
    no_evil(&out, s);
    for want in [
        "@import 'local.css';",
        "a{color:red;margin:0}",
        "@media print{b{background:url(p.png)}c{}}",
        "d{background:url(data:image/svg+xml;utf8,<svg/>)}",
    ] {
        assert!(out.contains(want), "missing {want:?} in {out:?}");
    }
    // A bad selector drops its whole rule, and only it.
    let out = css("@-moz-document url(//evil){a{x:y}} b{c:d}", Scripts::Keep);
    assert_eq!(out.trim(), "b{c:d}");
    // @namespace names are not fetched.
    let ns = "@namespace svg url(http://www.w3.org/2000/svg);";
    assert_eq!(css(ns, Scripts::Strip), ns);
}

#[test]
fn css_script_is_removed_where_scripts_are() {
    for s in [
        "a{width:expression(alert(1))}",
        "a{width:expr/**/ession(alert(1))}",
        "a{width:exp\\ression(alert(1))}",
        "a{behavior:url(x.htc)}",
        "a{-ms-behavior:url(#default#time2)}",
        "a{beh/**/avior:url(x.htc)}",
        "a{-moz-binding:url(x.xml#b)}",
        "a{background:url(javascript:alert(1))}",
        "a{background:url(vbscript:x)}",
        "a{-o-link:'javascript:alert(1)';-o-link-source:current}",
        "a{filter:progid:DXImageTransform.Microsoft.AlphaImageLoader(src='x.png')}",
    ] {
        let out = css(s, Scripts::Strip);
        let l = out.to_ascii_lowercase();
        for bad in [
            "expression",
            "behavior",
            "binding",
            "script",
            "x.htc",
            "progid",
            "ession",
        ] {
            assert!(!l.contains(bad), "{s:?} -> {out:?}");
        }
    }
}

#[test]
fn style_blocks_cannot_break_out_of_their_element() {
    // In inline SVG a <style>'s text is markup: nothing in what we send may
    // read as a tag or a character reference there.
    for s in [
        "<svg><style><img src=//evil/x.png></style></svg>",
        "<svg><style>&lt;img src=//evil&gt;</style></svg>",
        "<svg><style>@import &#x75;rl(//evil/x.css);</style></svg>",
        "<svg><style><![CDATA[@import url(//evil/x.css);]]></style></svg>",
        "<style></style ><img src=//evil></style>",
        "<style>a{content:'</style><img src=//evil>'}</style>",
    ] {
        for out in [keep(s), strip(s)] {
            let after_style = out
                .split("<style>")
                .skip(1)
                .map(|x| x.split("</style>").next().unwrap_or(""));
            for content in after_style {
                assert!(!content.contains('<'), "{s:?} -> {out:?}");
                assert!(!content.contains("&#"), "{s:?} -> {out:?}");
            }
            no_evil(&out.replace("src=//evil", "").replace("rl(//evil", ""), s);
            assert!(!out.contains("<img src=\"//evil"), "{s:?} -> {out:?}");
        }
    }
    let out = strip("<style><!-- a{color:red} --></style>");
    assert!(out.contains("a{color:red}"), "{out}");
}

#[test]
fn conditional_comments_are_gone() {
    let s = r#"<head><!--[if lt IE 9]><script src="https://evil/html5shiv.js"></script><link rel="stylesheet" href="//evil/ie.css"><![endif]--><!--[if IE]><img src=//evil><![endif]--><![if !IE]><p>x</p><![endif]><!--[if !IE]><!--><p>not ie</p><!--<![endif]--></head>"#;
    for out in [keep(s), strip(s)] {
        no_evil(&out, s);
        assert!(!out.contains("<!--"), "{out}");
        assert!(!out.contains("[if"), "{out}");
        assert!(out.contains("<p>not ie</p>"), "{out}");
    }
    // HTML's odd comment ends.
    let out = strip("<!--><img src=//evil1>--><!---><p>a</p><!-- x --!><p>b</p>");
    assert!(
        out.contains("<p>a</p>") && out.contains("<p>b</p>"),
        "{out}"
    );
}

#[test]
fn scripts_are_removed_when_stripping() {
    for s in [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil/x.js></SCRIPT>",
        "<script/src=//evil/x.js></script>",
        "<script a='>' src=//evil></script>",
        "<<script>alert(1);//<</script>",
        "<script>document.write('</scr'+'ipt>')</script>",
        "<svg><script>alert(1)</script></svg>",
        "<svg><script href=x.js /></svg>",
        "<body onload=alert(1) ONCLICK='x'>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)><animate onbegin=alert(1)/></svg>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\" &#14; javascript:alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<img src=\"javascript:alert(1)\">",
        "<table background=\"javascript:alert(1)\">",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
        "<form action=\"javascript:alert(1)\"><button formaction=\"javascript:x\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<object data=\"x.swf\"><param name=movie value=\"x.swf\"><embed src=\"x.swf\"></object>",
        "<applet code=\"X.class\"></applet>",
        "<svg><set attributeName=\"href\" to=\"javascript:alert(1)\"/></svg>",
        "<div style=\"width:expression(alert(1))\">",
        "<div style=\"width: expression&#40;alert(1)&#41;\">",
        "<?import namespace=\"t\" implementation=\"#default#time2\">",
        "<link rel=import href=\"x.html\">",
        "<noscript><p>no js</p></noscript>",
        "<x onclick=alert(1)>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    ] {
        let out = strip(s);
        let l = out.to_ascii_lowercase();
        for bad in [
            "<script",
            "alert",
            "javascript",
            "vbscript",
            "msgbox",
            "onerror",
            "onload",
            "onclick",
            "onbegin",
            ".swf",
            "<applet",
            "x.class",
            "implementation",
            "rel=\"import\"",
        ] {
            assert!(!l.contains(bad), "{s:?} -> {out:?}");
        }
    }
    // Fallback content of noscript and plugins shows without scripts.
    assert_eq!(strip("<noscript><p>no js</p></noscript>"), "<p>no js</p>");
    assert!(strip("<object data=x.swf><p>fallback</p></object>").contains("<p>fallback</p>"));
}

/// Found by fuzzing (`fuzz/fuzz_targets/rewrite.rs`): an element whose
/// name only begins with `script` is an unknown element to every browser,
/// kept like any other; the script elements beside it still go.
#[test]
fn a_name_that_only_begins_with_script_is_not_a_script() {
    let out =
        strip("<scriptwiki/x.html>a</scriptwiki><script\x0csrc=x.js></script><SCRIPT/x>b</SCRIPT>");
    assert_eq!(out, "<scriptwiki x.html>a</scriptwiki>");
}

#[test]
fn scripts_are_kept_when_keeping() {
    let s = "<script>var a = 1 < 2 && \"</div>\";</script><button onclick=\"go()\">x</button><a href=\"javascript:void(0)\">j</a><script src=\"app.js\"></script>";
    let out = keep(s);
    assert!(
        out.contains("<script>var a = 1 < 2 && \"</div>\";</script>"),
        "{out}"
    );
    assert!(out.contains("onclick=\"go()\""), "{out}");
    assert!(out.contains("javascript:void(0)"), "{out}");
    assert!(out.contains("<script src=\"app.js\"></script>"), "{out}");
    // …but not one that loads from outside, speculation rules, or one whose
    // text would be read as markup.
    for s in [
        "<script src=\"https://evil/x.js\"></script>",
        "<script type=speculationrules>{\"prefetch\":[{\"urls\":[\"https://evil/\"]}]}</script>",
        "<noscript><script>\"</noscript><img src=//evil>\"</script></noscript>",
        "<svg><script><img src=//evil></script></svg>",
        "<svg><script/><img src=//evil></script></svg>",
    ] {
        let out = keep(s);
        assert!(!out.contains("<img src=//evil"), "{s:?} -> {out:?}");
        assert!(!out.contains("https://evil"), "{s:?} -> {out:?}");
    }
}

#[test]
fn markup_is_written_out_plainly() {
    // Attribute values cannot carry markup or break their quotes.
    let out = strip(r#"<p title="</noscript><img src=//x>" data-x='a"b'>t</p>"#);
    assert_eq!(
        out,
        r#"<p title="&lt;/noscript&gt;&lt;img src=//x&gt;" data-x="a&quot;b">t</p>"#
    );
    // Text inside raw-text-like elements cannot end them early.
    let out = keep(r#"<noscript><p title="</noscript><img src=//evil>"></p></noscript>"#);
    assert!(!out.contains("<img"), "{out}");
    assert_eq!(out.matches("</noscript").count(), 1, "{out}");
    let out = keep("<title></title ><img src=//evil></title>");
    assert_eq!(out, "<title></title><img></title>");
    let out = keep("<textarea><img src=//evil></textarea>");
    assert_eq!(out, "<textarea>&lt;img src=//evil&gt;</textarea>");
    let out = keep("<xmp><img src=//evil></xmp>");
    assert_eq!(out, "<pre>&lt;img src=//evil&gt;</pre>");
    let out = keep("<plaintext><img src=//evil>");
    assert_eq!(out, "<pre>&lt;img src=//evil&gt;</pre>");
    // CDATA in inline SVG is text.
    let out = keep("<svg><![CDATA[<image href='//evil'/>]]></svg>");
    assert!(!out.contains("<image"), "{out}");
    // Names that are not plain are dropped.
    assert_eq!(keep("<a\u{e9} href=x>t"), "t");
    assert_eq!(keep("<p a\"b=1 c=2>"), "<p c=\"2\">");
}

#[test]
fn srcdoc_is_rewritten_as_a_page() {
    let out = keep(
        r#"<iframe srcdoc="&lt;img src='https://evil/a.png'&gt;&lt;a href='https://x.example/'&gt;x&lt;/a&gt;"></iframe>"#,
    );
    assert!(!out.contains("evil"), "{out}");
    assert!(out.contains("/external?url="), "{out}");
    // Pages nested too deep are dropped, not parsed forever.
    let mut s = String::from("<p>x</p>");
    for _ in 0..6 {
        s = format!(
            "<iframe srcdoc=\"{}\"></iframe>",
            s.replace('&', "&amp;").replace('"', "&quot;")
        );
    }
    let out = keep(&s);
    assert!(out.matches("srcdoc").count() <= 3, "{out}");
}

#[test]
fn svg_files() {
    let s = r#"<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="https://evil/s.css"?>
<!DOCTYPE svg [<!ENTITY ns_svg "http://www.w3.org/2000/svg"><!ENTITY out "https://evil/x.png"><!ENTITY ns_xlink "http://www.w3.org/1999/xlink">]>
<svg xmlns="&ns_svg;" xmlns:xlink="&ns_xlink;" onload="alert(1)" viewBox="0 0 10 10">
<style><![CDATA[ @import url(//evil/i.css); rect { fill: red } ]]></style>
<script><![CDATA[ alert(1) ]]></script>
<image xlink:href="&out;" width="1" height="1"/>
<image href="local.png" width="1" height="1"/>
<a xlink:href="https://x.example/"><text>t &amp; u</text></a>
<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="//evil/"></iframe></foreignObject>
<rect width="1" height="1" style="fill:url(//evil/p#x)"/>
</svg>"#;
    let out = xml(s, Scripts::Strip);
    no_evil(&out, s);
    for bad in [
        "alert",
        "<script",
        "onload",
        "xml-stylesheet",
        "<!DOCTYPE",
        "&ns_svg;",
    ] {
        assert!(!out.contains(bad), "{bad}: {out}");
    }
    for want in [
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"xmlns="http://www.w3.org/2000/svg""#,
        r#"href="local.png""#,
        "rect { fill: red }",
        "<text>t &amp; u</text>",
        r##"xlink:href="/external?url="##,
    ] {
        assert!(out.contains(want), "missing {want:?} in {out}");
    }
    // Entities that multiply stop at the budget, and what is left is inert.
    let mut bomb = String::from("<!DOCTYPE x [<!ENTITY a \"");
    bomb.push_str(&"x".repeat(10_000));
    bomb.push_str("\">]><svg>");
    for _ in 0..2_000 {
        bomb.push_str("&a;");
    }
    bomb.push_str("</svg>");
    let out = xml(&bomb, Scripts::Strip);
    assert!(out.len() < 8 << 20, "{}", out.len());
}

#[test]
fn toolbar_injected_once() {
    let opts = Options {
        head: "<link id=H>",
        body: "<div id=B></div>",
        scripts: Scripts::Strip,
    };
    let out = html(
        "<html><head><title>t</title></head><body class=\"x\"><p>hi</p></body></html>",
        &opts,
    );
    assert_eq!(out.matches("id=H").count(), 1);
    assert_eq!(out.matches("id=B").count(), 1);
    assert!(out.find("id=H").unwrap() < out.find("</head>").unwrap());
    assert!(out.find("id=B").unwrap() > out.find("<body").unwrap());
    let frag = html("<p>fragment</p>", &opts);
    assert!(frag.starts_with("<link id=H><div id=B></div>"));
    // The compatibility entry point keeps scripts.
    let out = rewrite("<script>x()</script>", &Inject { head: "", body: "" });
    assert!(out.contains("<script>x()</script>"));
}

#[test]
fn kinds_of_entries() {
    assert_eq!(kind("text/html"), Kind::Html);
    assert_eq!(kind("text/html; charset=utf-8"), Kind::Html);
    assert_eq!(kind("application/xhtml+xml"), Kind::Html);
    assert_eq!(kind("text/css"), Kind::Css);
    assert_eq!(kind("image/svg+xml"), Kind::Xml);
    assert_eq!(kind("application/atom+xml"), Kind::Xml);
    assert_eq!(kind("image/png"), Kind::Other);
    assert_eq!(kind("application/javascript"), Kind::Other);
    assert!(entry("image/png", b"<script>", &Options::plain(Scripts::Strip)).is_none());
    let css_out = entry(
        "text/css",
        b"a{b:url(//evil)}",
        &Options::plain(Scripts::Strip),
    )
    .unwrap();
    assert!(!css_out.contains("evil"));
    assert_eq!(
        content_type(Kind::Xml, "image/svg+xml"),
        "image/svg+xml; charset=utf-8"
    );
}

#[test]
fn broken_markup_does_not_panic() {
    for s in [
        "<",
        "<a",
        "<a href=\"x",
        "<a href=",
        "</",
        "<!--",
        "<script>",
        "<a =x>",
        "<<<>>>",
        "<a\u{00e9}=1>",
        "&#xFFFFFFFF;",
        "<!DOCTYPE",
        "<![CDATA[",
        "<svg><![CDATA[",
        "<?",
        "</a",
        "<style>",
        "<style>a{",
        "<style>\\",
        "<p style=\"\\\">",
        "<title>",
        "<xmp>",
        "<plaintext>",
        "<svg><style>/*",
        "<a b='",
        "<img srcset=,,,>",
        "<style>url(",
        "<style>@import '",
        "<style>\"\\",
        "<style>u\\",
        "<p style=\"a:url(\\\">",
        "<!DOCTYPE x [<!ENTITY",
        "<!DOCTYPE x [<!ENTITY a '",
        "\u{0}<\u{0}a\u{0}>",
        "<meta http-equiv=refresh>",
    ] {
        for sc in [Scripts::Keep, Scripts::Strip] {
            let opts = Options {
                head: "h",
                body: "b",
                scripts: sc,
            };
            let _ = html(s, &opts);
            let _ = xml(s, sc);
            let _ = css(s, sc);
        }
        let _ = decode_entities(s);
    }
}

/// Hostile shapes that would make a naive rewriter quadratic finish quickly
/// (no timing asserted: the test would simply hang).
#[test]
fn hostile_sizes_stay_linear() {
    let n = 200_000;
    for s in [
        "<script>".repeat(n / 8),
        "<style>".repeat(n / 7),
        "<title>".repeat(n / 7),
        "<a href='".repeat(n / 9),
        "<!--".repeat(n / 4),
        "<svg><![CDATA[".repeat(n / 14),
        "(".repeat(n),
        "<p style=\"".to_string() + &"url(".repeat(n / 4) + "\">",
        "<style>".to_string() + &"{".repeat(n) + "</style>",
        "<style>".to_string() + &"/*".repeat(n / 2) + "</style>",
        "<style>a{b:".to_string() + &"url(x) ".repeat(n / 7) + "}</style>",
        "&#".repeat(n / 2),
        "<iframe srcdoc=\"".to_string() + &"&lt;iframe srcdoc=&quot;".repeat(n / 24) + "\">",
    ] {
        for sc in [Scripts::Keep, Scripts::Strip] {
            let _ = html(&s, &Options::plain(sc));
            let _ = xml(&s, sc);
            let _ = css(&s, sc);
        }
    }
}

/// The attributes of every tag in our own (plainly written) output.
fn attrs(out: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let b = out.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'>' {
                if b[j] == b' ' {
                    let ns = j + 1;
                    let mut k = ns;
                    while k < b.len() && !matches!(b[k], b'=' | b' ' | b'>') {
                        k += 1;
                    }
                    let name = out[ns..k].to_ascii_lowercase();
                    if b.get(k) == Some(&b'=') && b.get(k + 1) == Some(&b'"') {
                        let vs = k + 2;
                        let ve = out[vs..].find('"').map_or(out.len(), |e| vs + e);
                        found.push((name, out[vs..ve].to_string()));
                        j = ve + 1;
                        continue;
                    }
                    j = k;
                    continue;
                }
                j += 1;
            }
            i = j;
        }
        i += 1;
    }
    found
}

/// Random markup built from tricky pieces: the rewriter never panics and
/// never lets an outside reference or (when stripping) a script through.
#[test]
fn random_pieces_never_leak() {
    const PIECES: [&str; 40] = [
        "<a href=\"",
        "<a href='",
        "<a href=",
        "https://evil/",
        "//evil",
        "\"",
        "'",
        ">",
        "<",
        " ",
        "=",
        "&#104;",
        "ttps:",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<img src=",
        "\t",
        "<meta http-equiv=refresh content=\"0;url=",
        "서울",
        "</a>",
        "&colon;",
        "/",
        "<style>",
        "</style>",
        "url(",
        ")",
        "@import ",
        "<svg>",
        "</svg>",
        "<![CDATA[",
        "]]>",
        "<noscript>",
        "</noscript>",
        " style=\"",
        "\\",
        "onload=",
        "javascript:",
        "<iframe srcdoc=\"",
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..30_000 {
        let mut s = String::new();
        let n = (next() % 16) as usize + 1;
        for _ in 0..n {
            s.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        let out = strip(&s);
        let l = out.to_ascii_lowercase();
        assert!(!l.contains("<script"), "{s:?} -> {out:?}");
        for (name, value) in attrs(&out) {
            assert!(!name.starts_with("on"), "{s:?} -> {out:?}");
            if name == "srcdoc" || name == "style" {
                // A page of its own, rewritten as one (checked above as text).
                continue;
            }
            let v = decode_entities(&value);
            assert!(
                !matches!(url::classify(&v), url::Dest::Script | url::Dest::External)
                    || (name == "href" && v.starts_with("/external?")),
                "{name}={v:?}: {s:?} -> {out:?}"
            );
        }
        assert!(!l.contains("<!--"), "{s:?} -> {out:?}");
        let css_bad = |c: &str| {
            let c = c.to_ascii_lowercase().replace([' ', '\t'], "");
            let unquoted = c.replace(['"', '\''], "");
            unquoted.contains("url(//")
                || unquoted.contains("url(https:")
                || c.contains("@import\"//")
                || c.contains("@import'//")
        };
        for (name, value) in attrs(&out) {
            if name == "style" {
                assert!(!css_bad(&decode_entities(&value)), "{s:?} -> {out:?}");
            }
        }
        for block in out.split("<style").skip(1) {
            let content = block.split("</style>").next().unwrap_or("");
            assert!(!css_bad(content), "{s:?} -> {out:?}");
        }
        let _ = keep(&s);
        let _ = xml(&s, Scripts::Strip);
    }
}
