/** The public pages' only stylesheet, served from /assets/site.css (CSP allows styles from 'self' only). */
export const SITE_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font-family:Georgia,"Times New Roman",serif;line-height:1.6;color:#1d1d1b;background:#f6f6f4}
main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 4rem}
h1{font-size:1.9rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.35rem;margin:2rem 0 .75rem}
a{color:#14508c}
a:focus,button:focus,input:focus{outline:3px solid #ffbf47;outline-offset:2px}
.summary{font-size:1.15rem}
.count{font-family:Arial,sans-serif;font-weight:bold;background:#e8eef5;padding:.75rem 1rem;border-radius:4px}
.letter{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1.25rem 1.5rem;margin:1.5rem 0}
.letter .to{font-family:Arial,sans-serif;color:#555;font-size:.95rem;margin:0 0 1rem;white-space:pre-line}
form{font-family:Arial,sans-serif;background:#fff;border:1px solid #ddd;border-radius:6px;padding:1.25rem 1.5rem}
.field{margin:0 0 1.25rem}
label{display:block;font-weight:bold;margin-bottom:.35rem}
.hint{display:block;color:#555;font-weight:normal;font-size:.95rem}
input[type=text],input[type=email]{width:100%;font-size:1.05rem;padding:.6rem;border:2px solid #1d1d1b;border-radius:0}
.checkbox{display:flex;gap:.75rem;align-items:flex-start}
.checkbox input{width:1.5rem;height:1.5rem;flex:none;margin-top:.15rem}
.checkbox label{font-weight:normal}
.error{color:#b10e1e;font-weight:bold;display:block;margin:.25rem 0}
.field.invalid input{border-color:#b10e1e}
.error-summary{border:4px solid #b10e1e;padding:1rem;margin-bottom:1.5rem;background:#fff}
button{font-size:1.1rem;font-family:Arial,sans-serif;background:#14508c;color:#fff;border:0;border-radius:4px;padding:.75rem 1.5rem;cursor:pointer}
button.secondary{background:#fff;color:#14508c;border:2px solid #14508c}
button.danger{background:#b10e1e}
.honeypot{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
input[type=url],input[type=search],input[type=number],input[type=date],input[type=datetime-local],select,textarea{width:100%;font-size:1.05rem;padding:.6rem;border:2px solid #1d1d1b;border-radius:0;font-family:inherit}
select:focus,textarea:focus,summary:focus{outline:3px solid #ffbf47;outline-offset:2px}
input[readonly],textarea[readonly]{background:#eee}
.field.invalid select,.field.invalid textarea{border-color:#b10e1e}
.skip-link{position:absolute;left:-10000px;top:0;background:#ffbf47;color:#1d1d1b;padding:.5rem 1rem;font-family:Arial,sans-serif}
.skip-link:focus{left:0;z-index:10}
.app{font-family:Arial,sans-serif}
.app main{max-width:60rem}
.app-header{background:#1d1d1b;color:#fff}
.app-header-inner{max-width:60rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem}
.app-header a{color:#fff}
.app-brand{font-weight:bold;font-size:1.15rem;text-decoration:none}
.app-nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;align-items:center}
.app-nav a[aria-current=page]{text-decoration:underline 3px}
.app-user{margin:0 0 0 auto;font-size:.9rem;color:#ddd}
form.inline-form{display:inline;background:none;border:0;padding:0;margin:0}
button.link{background:none;border:0;padding:0;color:inherit;text-decoration:underline;font-size:inherit;cursor:pointer}
.app-header button.link{color:#fff}
.app form+form{margin-top:1rem}
.confirm-form .cancel{margin-left:1rem}
.error-summary h2,.error-summary h3{margin-top:0}
.role-form select{width:auto;padding:.35rem}
.role-form button{font-size:.95rem;padding:.4rem .8rem;margin-left:.4rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:1rem 0}
th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
caption{text-align:left;font-weight:bold;padding:.5rem 0}
.notice{border-left:6px solid #14508c;background:#fff;padding:.75rem 1rem;margin:1rem 0}
.logo-preview{margin:.5rem 0 1rem}.logo-preview img{display:block;height:64px;width:auto;max-width:20rem;border:1px solid #ccc;padding:4px;background:#fff}
.logo-preview figcaption{font-size:.9rem;color:#555}#logo-form{margin-bottom:.75rem}
dl.profile{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.profile dd{margin:0}.address{white-space:pre-line}
.secret{font-family:monospace;font-size:1.05rem;word-break:break-all;background:#fff;border:2px dashed #14508c;padding:.75rem;display:block}
a.button{display:inline-block;font-size:1.05rem;background:#14508c;color:#fff;border-radius:4px;padding:.6rem 1.2rem;text-decoration:none;border:2px solid #14508c}
a.button.secondary{background:#fff;color:#14508c}
a.button.danger{background:#b10e1e;border-color:#b10e1e}
a.button:focus{outline:3px solid #ffbf47;outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0 .5rem}
.breadcrumbs{margin:0 0 .25rem;font-size:.95rem}
.status{display:inline-block;padding:.1rem .5rem;border-radius:3px;background:#e8eef5}
.status-open{background:#dcefdc}
.status-closed{background:#eee}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;background:#fff;border:1px solid #ddd;padding:1rem;margin:1.5rem 0}
.facts dt{font-weight:bold}
.facts dd{margin:0;overflow-wrap:anywhere}
.counts{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
.counts li{background:#fff;border:1px solid #ddd;padding:.75rem 1rem;min-width:10rem}
.count-number{display:block;font-size:2rem;font-weight:bold;line-height:1.1}
.chart{margin:0;background:#fff;border:1px solid #ddd;padding:.75rem}
.chart figcaption{font-size:.95rem;color:#333}
.timeline{padding-left:1.25rem}
.timeline time{font-weight:bold;margin-right:.5rem}
.table-scroll{overflow-x:auto}
td.number,th.number{text-align:right}
th .hint{font-weight:normal}
fieldset{border:0;border-top:2px solid #ddd;margin:0 0 1rem;padding:1rem 0 0}
legend{font-size:1.35rem;font-weight:bold;padding:0 .5rem 0 0}
.letter-editor{display:grid;grid-template-columns:minmax(0,1fr);gap:1.5rem}
@media (min-width:62rem){.app main:has(.letter-editor){max-width:84rem}.letter-editor{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}.letter-preview{position:sticky;top:1rem;align-self:start;max-height:95vh;overflow:auto}}
.letter-preview h2{margin-top:0}
.preview-controls{display:flex;flex-wrap:wrap;align-items:flex-end;gap:1rem}
.preview-controls .field{flex:1 1 14rem;margin:0}
.mail-preview{background:#fff;border:1px solid #bbb;border-radius:6px}
.mail-headers{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem;margin:0;padding:.75rem 1rem;border-bottom:1px solid #ddd;background:#f3f3f1}
.mail-headers dt{font-weight:bold;color:#444}
.mail-headers dd{margin:0;overflow-wrap:anywhere}
.mail-preview .letter{border:0;margin:0;font-family:Georgia,"Times New Roman",serif}
.preview-problem{border-left:6px solid #b10e1e;background:#fff;padding:.75rem 1rem}
.source-line{background:#f3f3f1;padding:.5rem;overflow-x:auto;font-size:.95rem}
.merge-fields dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem}
.merge-fields dd{margin:0}
.form-actions{display:flex;align-items:center;gap:1.5rem;margin-top:1.5rem}
.search-form{display:flex;flex-wrap:wrap;align-items:flex-end;gap:1rem}
.search-form .field{flex:1 1 14rem;margin:0}
.pager{display:flex;gap:1.5rem;margin:1rem 0}
.progress-bar{display:block;width:100%;height:1.75rem;margin:.5rem 0 1rem;accent-color:#14508c}
.progress-label{font-weight:bold;margin:0}
.counts-small li{min-width:7rem;padding:.5rem .75rem}
.counts-small .count-number{font-size:1.5rem}
.smtp-answer{font-family:monospace;font-size:.9rem;overflow-wrap:anywhere}
footer{font-family:Arial,sans-serif;font-size:.9rem;color:#555;margin-top:3rem}
main.campaign{max-width:72rem;padding-top:1rem}
main.campaign>.letter,main.campaign>footer{max-width:44rem}
.campaign-top{display:grid;gap:1.5rem 2.5rem;align-items:start}
@media (min-width:56rem){.campaign-top{grid-template-columns:minmax(0,1fr) 25rem}main.campaign>.letter{margin-left:0}}
.organisation{font-family:Arial,sans-serif;font-weight:bold;letter-spacing:.02em;color:#14508c;margin:0}
.organisation .logo{display:block;height:48px;width:auto;max-width:240px;margin-bottom:8px}
.addressee{font-family:Arial,sans-serif;color:#555;margin:-.5rem 0 1rem}
.campaign-top h1{margin:.25rem 0 .75rem}
.status{font-family:Arial,sans-serif;border-left:4px solid #1d7a46;background:#eef7f0;padding:.6rem 1rem;margin:1rem 0}
.share{font-family:Arial,sans-serif;font-size:.95rem;margin:1rem 0}
.share a{display:inline-block;margin:0 .6rem .25rem 0}
form.sign{padding:1rem 1.25rem}
form.sign h2{margin:0 0 .75rem}
form.sign .field{margin-bottom:.9rem}
.letter>h2:first-child{margin-top:0}
.reply .files{font-family:Arial,sans-serif;padding-left:1.25rem;margin:0 0 1rem}
.reply .files .hint{display:inline}
.campaign-nav ul{list-style:none;margin:0 0 1.25rem;padding:0;display:flex;flex-wrap:wrap;gap:.25rem;border-bottom:2px solid #ddd}
.campaign-nav a{display:block;padding:.4rem .8rem;text-decoration:none}
.campaign-nav a[aria-current=page]{font-weight:bold;border-bottom:4px solid #14508c;margin-bottom:-2px}
.document-frame{display:block;width:100%;height:36rem;border:1px solid #bbb;background:#fff;resize:vertical}
.document-frame.short{height:22rem}
.evidence{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;background:#fff;border:1px solid #ddd;padding:1rem;margin:1rem 0}
.evidence dt{font-weight:bold}
.evidence dd{margin:0;overflow-wrap:anywhere}
.evidence ul{margin:0;padding-left:1.1rem}
.verdict-pass{color:#1d6a3a;font-weight:bold}
.verdict-fail{color:#b10e1e;font-weight:bold}
.reply-text{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:1rem;font-family:Georgia,serif;overflow-wrap:anywhere}
.choice{display:flex;gap:.6rem;align-items:flex-start;margin:.5rem 0}
.choice input{width:1.3rem;height:1.3rem;flex:none;margin-top:.2rem}
.choice label{font-weight:normal}
.warning{border-left:6px solid #b10e1e;background:#fff;padding:.75rem 1rem;margin:1rem 0;font-weight:bold}
.tag{display:inline-block;padding:.05rem .45rem;border-radius:3px;font-size:.9rem;background:#eee}
.tag-held{background:#fde2c8}
.tag-awaiting_approval{background:#e8eef5}
.tag-forwarded{background:#dcefdc}
.tag-rejected{background:#eee}
input[type=file]{font-size:1rem}
`;
