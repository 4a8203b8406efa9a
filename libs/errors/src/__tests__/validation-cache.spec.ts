import { IsInt, IsString, Min } from 'class-validator';
import { parseInput } from '../validation';

class Base {
  @IsString()
  name!: string;
}

class Child extends Base {
  @IsInt()
  @Min(1)
  size!: number;
}

describe('validation with the remembered class rules', () => {
  it('applies a class its own and its inherited rules, the same on every call', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(parseInput(Child, { name: 'a', size: 2 })).resolves.toMatchObject({ name: 'a', size: 2 });
      await expect(parseInput(Child, { name: 3, size: 0 })).rejects.toMatchObject({
        details: { fields: expect.arrayContaining([expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'size' })]) },
      });
      await expect(parseInput(Base, { name: 'a', size: 0 })).resolves.toEqual({ name: 'a' });
    }
  });

  it('sees the rules of a class defined after validation began (a module loaded later)', async () => {
    await expect(parseInput(Base, { name: 'x' })).resolves.toBeDefined();
    class Later extends Base {
      @IsString()
      colour!: string;
    }
    await expect(parseInput(Later, { name: 'x', colour: 1 })).rejects.toMatchObject({ details: { fields: [expect.objectContaining({ field: 'colour' })] } });
    await expect(parseInput(Later, { name: 'x', colour: 'red' })).resolves.toEqual({ name: 'x', colour: 'red' });
  });
});
