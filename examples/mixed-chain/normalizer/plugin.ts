export class Normalizer {
  rewrite(query: Query): Query {
    return {
      ...query,
      text: query.text.toLowerCase().trim().replace(/\s+/g, " "),
    };
  }
}
