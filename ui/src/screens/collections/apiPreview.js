// The API of one collection as PocketBase documents it, generated from its schema: endpoints, who may call them
// (its rules) and JS SDK examples with sample values per field type.

const SAMPLE = {
  text: '"lorem ipsum"', editor: '"<p>Hello</p>"', number: "123", bool: "true", email: '"test@example.com"',
  url: '"https://example.com"', date: '"2024-01-01 10:00:00.123Z"', select: null, relation: '"RECORD_ID"',
  json: '{ "key": "value" }', geoPoint: "{ lon: 12.49, lat: 41.89 }", password: '"12345678"',
};

function sampleValue(field) {
  if (field.type === "select") {
    const first = JSON.stringify(field.values?.[0] ?? "option");
    return field.maxSelect > 1 ? `[${first}]` : first;
  }
  if (field.type === "relation" && field.maxSelect > 1) return '["RECORD_ID"]';
  if (field.type === "file") return field.maxSelect > 1 ? "[new File([...], 'a.png')]" : "new File([...], 'a.png')";
  return SAMPLE[field.type] ?? "null";
}

/** Fields a client writes: not system-managed, not computed, not autodate. */
export function writableFields(collection) {
  const computed = new Set(["formula", "lookup", "rollup", "count", "autodate"]);
  return (collection.fields || []).filter((f) => !computed.has(f.type) && !(f.system && f.name !== "email" && f.name !== "password" && f.name !== "emailVisibility" && f.name !== "verified") && f.name !== "id" && f.name !== "tokenKey");
}

function who(rule) {
  if (rule === null || rule === undefined) return "superusers only";
  if (rule === "") return "everyone";
  return `rule: ${rule}`;
}

function bodyLines(collection) {
  const lines = writableFields(collection).map((f) => `  ${JSON.stringify(f.name)}: ${sampleValue(f)},`);
  if (collection.type === "auth" && !lines.some((l) => l.includes('"passwordConfirm"'))) {
    lines.push('  "passwordConfirm": "12345678",');
  }
  return lines.join("\n");
}

/** [{id, title, method, path, access, code}] for the collection. */
export function apiSections(collection, origin) {
  const name = collection.name;
  const textField = (collection.fields || []).find((f) => f.type === "text" && !f.system)?.name || "id";
  const base = `/api/collections/${name}`;
  const head = `import PocketBase from "pocketbase";\n\nconst pb = new PocketBase("${origin}");\n\n`;
  const sections = [
    {
      id: "list", title: "List/Search", method: "GET", path: `${base}/records`, access: who(collection.listRule),
      params: "page, perPage, sort, filter, expand, fields, skipTotal",
      code: `${head}// fetch a paginated records list\nconst resultList = await pb.collection("${name}").getList(1, 50, {\n  filter: 'created >= "2024-01-01 00:00:00"',\n});\n\n// or all of them at once, in batches\nconst records = await pb.collection("${name}").getFullList({ sort: "-created" });\n\n// or the first match\nconst record = await pb.collection("${name}").getFirstListItem('${textField}="test"');`,
    },
    {
      id: "view", title: "View", method: "GET", path: `${base}/records/:id`, access: who(collection.viewRule),
      params: "expand, fields",
      code: `${head}const record = await pb.collection("${name}").getOne("RECORD_ID", {\n  expand: "relField1,relField2.subRelField",\n});`,
    },
  ];
  if (collection.type !== "view") {
    sections.push(
      {
        id: "create", title: "Create", method: "POST", path: `${base}/records`, access: who(collection.createRule),
        params: "expand, fields",
        code: `${head}const data = {\n${bodyLines(collection)}\n};\n\nconst record = await pb.collection("${name}").create(data);`,
      },
      {
        id: "update", title: "Update", method: "PATCH", path: `${base}/records/:id`, access: who(collection.updateRule),
        params: "expand, fields",
        code: `${head}const data = {\n${bodyLines(collection)}\n};\n\nconst record = await pb.collection("${name}").update("RECORD_ID", data);`,
      },
      {
        id: "delete", title: "Delete", method: "DELETE", path: `${base}/records/:id`, access: who(collection.deleteRule),
        params: "",
        code: `${head}await pb.collection("${name}").delete("RECORD_ID");`,
      },
    );
  }
  sections.push({
    id: "realtime", title: "Realtime", method: "SSE", path: "/api/realtime", access: `${who(collection.listRule)} (events of records one may view)`,
    params: "",
    code: `${head}// every change of the collection\npb.collection("${name}").subscribe("*", (e) => {\n  console.log(e.action, e.record);\n});\n\n// one record only\npb.collection("${name}").subscribe("RECORD_ID", (e) => console.log(e.record));\n\n// stop\npb.collection("${name}").unsubscribe();`,
  });
  if (collection.type === "auth") {
    sections.push({
      id: "auth", title: "Auth with password", method: "POST", path: `${base}/auth-with-password`, access: who(collection.authRule ?? ""),
      params: "identity, password",
      code: `${head}const authData = await pb.collection("${name}").authWithPassword("test@example.com", "12345678");\n\n// after the above you can also access the auth data from the authStore\nconsole.log(pb.authStore.isValid, pb.authStore.token, pb.authStore.record.id);\n\npb.authStore.clear(); // "logout"`,
    });
  }
  return sections;
}
