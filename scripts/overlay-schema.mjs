// Derives the JSON Schema of an environment overlay (`environments.<name>`, types.ts `ConfigOverlay`) from the
// generated schema of MonitoringConfig. ts-json-schema-generator can't expand the recursive mapped type
// `Overlay<T>` (it emits an empty object), so the overlay is derived here from the config's own schema: every
// object keeps its keys and their rules, loses `required`, and every value may also be `null` (RFC 7396: remove
// the key). Arrays and scalars keep their rules, since an overlay replaces them whole.
// Objects are made nullable with a type list rather than `anyOf [X, null]`, so an unknown key deep inside an
// overlay is reported once, as an unknown key, not also as "not null".

/** The schema with `definitions.ConfigOverlay` (and one `<Name>Overlay` per object definition) filled in. */
export function addOverlaySchema(schema) {
  const definitions = schema.definitions;
  for (const name of Object.keys(definitions)) if (name.startsWith('Overlay<')) delete definitions[name];
  const refName = (ref) => decodeURIComponent(ref.replace('#/definitions/', ''));
  const isObject = (node) => node && node.type === 'object';
  const overlayName = (name) => `${name}Overlay`;

  const made = new Set();
  const overlayDefinition = (name) => {
    const target = overlayName(name);
    if (!made.has(target)) {
      made.add(target);
      definitions[target] = nullable(overlayOf(definitions[name]));
    }
    return { $ref: `#/definitions/${target}` };
  };

  function overlayOf(node) {
    if (node.$ref) {
      const name = refName(node.$ref);
      if (!isObject(definitions[name]) && !definitions[name].anyOf) return node;
      const { $ref, ...rest } = node;
      return { ...rest, ...overlayDefinition(name) };
    }
    if (isObject(node)) {
      const { required, ...rest } = node;
      const out = { ...rest };
      if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([key, value]) => [key, nullable(overlayOf(withoutDefault(value)))]));
      if (node.additionalProperties && typeof node.additionalProperties === 'object') out.additionalProperties = nullable(overlayOf(withoutDefault(node.additionalProperties)));
      return out;
    }
    if (node.anyOf) return { ...node, anyOf: node.anyOf.map(overlayOf) };
    return node;
  }

  // A key an overlay leaves out keeps the base's value, not the config's default: the overlay documents none.
  function withoutDefault(node) {
    const { default: _default, ...rest } = node;
    return rest;
  }

  function nullable(node) {
    if (node.$ref) {
      const name = refName(node.$ref);
      if (name.endsWith('Overlay') && made.has(name)) return node;
      const { description, ...rest } = node;
      return { ...(description ? { description } : {}), anyOf: [rest, { type: 'null' }] };
    }
    if (node.anyOf) return node.anyOf.some((b) => b.type === 'null') ? node : { ...node, anyOf: [...node.anyOf, { type: 'null' }] };
    if (node.const !== undefined || node.type === undefined) {
      const { description, ...rest } = node;
      return { ...(description ? { description } : {}), anyOf: [rest, { type: 'null' }] };
    }
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('null')) return node;
    return { ...node, type: [...types, 'null'], ...(node.enum ? { enum: [...node.enum, null] } : {}) };
  }

  const { environments, $schema, ...configProperties } = definitions.MonitoringConfig.properties;
  const root = overlayOf({ ...definitions.MonitoringConfig, properties: configProperties });
  definitions.ConfigOverlay = { description: definitions.ConfigOverlay?.description, ...root };
  return schema;
}
