/**
 * Escapes text for HTML element content and quoted attribute values, exactly as Handlebars'
 * `{{…}}` does (`& < > " ' \` =`). For the few fragments the console builds outside a template
 * (the highlighted YAML source): every piece of text goes through it.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (char) => ESCAPES[char] as string);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
