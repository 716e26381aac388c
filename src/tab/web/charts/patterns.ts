/** Fill patterns that tell series apart without colour: stripes, dots, cross-hatch, bars. */
export type PatternShape = 'solid' | 'diagonal' | 'dots' | 'cross' | 'horizontal' | 'vertical';

export const SHAPES: PatternShape[] = ['solid', 'diagonal', 'dots', 'cross', 'horizontal', 'vertical'];

/** `colour` filled with `shape` drawn over it in `ink`, as a canvas pattern Chart.js takes for a background. */
export function patternFill(colour: string, shape: PatternShape, ink: string): CanvasPattern | string {
  const size = 10;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d');
  if (!context || shape === 'solid') return colour;
  context.fillStyle = colour;
  context.fillRect(0, 0, size, size);
  context.strokeStyle = ink;
  context.fillStyle = ink;
  context.lineWidth = 1.5;
  const line = (x1: number, y1: number, x2: number, y2: number) => {
    context.beginPath();
    context.moveTo(x1, y1);
    context.lineTo(x2, y2);
    context.stroke();
  };
  if (shape === 'diagonal') (line(0, size, size, 0), line(-2, 2, 2, -2), line(size - 2, size + 2, size + 2, size - 2));
  if (shape === 'cross') (line(0, 0, size, size), line(0, size, size, 0));
  if (shape === 'horizontal') line(0, size / 2, size, size / 2);
  if (shape === 'vertical') line(size / 2, 0, size / 2, size);
  if (shape === 'dots') (context.beginPath(), context.arc(size / 2, size / 2, 1.8, 0, Math.PI * 2), context.fill());
  return context.createPattern(canvas, 'repeat') ?? colour;
}
