/** A page that only says something: a refusal (403), something not found (404), an error. */
export const MESSAGE_TEMPLATE = `<h1>{{heading}}</h1>
<p>{{text}}</p>
<p><a href="{{back.href}}">{{back.label}}</a></p>
`;
