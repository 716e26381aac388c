/** `count` and the noun in the number it takes: `1 device`, `3 devices`, `2 licences`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
