"""`{% cachedpart "name" vary... %}...{% endcachedpart %}`: a part of a page kept in the cache until a
table read while rendering it is written (kam/datastamps.py, docs/caching.md).

Everything the part shows must be read while it renders (lazy values from the view do that); values the
view read earlier go in `vary`, with the person and the query string where they matter.
"""

from django import template

from kam import datastamps

register = template.Library()


class CachedPartNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist = nodelist
        self.name = name
        self.vary = vary

    def render(self, context):
        name = self.name.resolve(context)
        vary = [v.resolve(context) for v in self.vary]
        return datastamps.cached(f"html:{name}", lambda: self.nodelist.render(context), vary)


@register.tag
def cachedpart(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'cachedpart' needs the part's name")
    nodelist = parser.parse(("endcachedpart",))
    parser.delete_first_token()
    return CachedPartNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]])
